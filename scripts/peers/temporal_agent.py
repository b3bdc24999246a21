"""The Temporal Python SDK peer's workflow and activity (module level: the SDK refuses local classes)."""
from datetime import timedelta

from temporalio import activity, workflow

# Set by peer.py before the worker starts: step -> None (the workload's effect, with the kill switch).
run_step = None


@activity.defn(name="tool")
def tool(s: int) -> None:
    run_step(s)


@workflow.defn(name="BenchAgent")
class Agent:
    @workflow.run
    async def run(self, n: int) -> int:
        for s in range(n):
            await workflow.execute_activity("tool", s, start_to_close_timeout=timedelta(seconds=10),
                                            heartbeat_timeout=timedelta(seconds=10))
        return n
