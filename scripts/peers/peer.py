#!/usr/bin/env python3
"""The benchmark workload run through a durable peer a user might pick instead of Marathon.

The workload is the one Marathon's benchmark agent makes (see BenchScript.java): turns of four tool
calls (write a note, read it, edit it, run `wc -l` on it in bash), each call durable before the
next, each followed by a git commit of the workspace (`git add -A && git commit`) -- the peers have
no snapshots of their own, so a commit is what gives them a workspace state per step.

    peer.py SYSTEM --work DIR --steps N [--kill-at K] [--resume] [--address HOST:PORT]

SYSTEM is langgraph (StateGraph + SqliteSaver, durability "sync"), dbos (DBOS with its SQLite
system database) or temporal (Temporal Python SDK, the same dev server as Marathon). Prints
"step S" as each step's effect completes, then one JSON line with the measurements. --kill-at K
kills this process (SIGKILL) when step K is about to start; --resume continues that run.
"""
import argparse
import faulthandler
import json
import os
import resource
import signal
import subprocess
import sys
import time


def effect(work, s):
    """Step s of the workload, then a commit; prints 'step s' once it is done."""
    turn, k = divmod(s, 4)
    turn += 1
    rel = f"notes/n{turn % 50}.txt"
    path = os.path.join(work, rel)
    if k == 0:
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w") as f:
            f.write(f"note {turn}\nstatus: draft\n")
    elif k == 1:
        with open(path) as f:
            f.read()
    elif k == 2:
        with open(path) as f:
            text = f.read()
        with open(path, "w") as f:
            f.write(text.replace("draft", f"done {turn}", 1))
    else:
        subprocess.run(["bash", "-c", f"wc -l {rel}"], cwd=work, check=True, capture_output=True)
    subprocess.run(["git", "add", "-A"], cwd=work, check=True)
    # A read changes nothing: git commit then exits 1 ("nothing to commit"), which is fine.
    subprocess.run(["git", "commit", "-q", "-m", f"step {s}"], cwd=work, capture_output=True)
    print(f"step {s}", flush=True)


def maybe_die(args, s):
    if args.kill_at is not None and s == args.kill_at:
        os.kill(os.getpid(), signal.SIGKILL)


def run_langgraph(args):
    import sqlite3
    from typing import TypedDict
    from langgraph.checkpoint.sqlite import SqliteSaver
    from langgraph.graph import END, START, StateGraph

    class State(TypedDict):
        step: int

    def tool(state):
        s = state["step"]
        maybe_die(args, s)
        effect(args.work_tree, s)
        return {"step": s + 1}

    graph = StateGraph(State)
    graph.add_node("tool", tool)
    graph.add_edge(START, "tool")
    graph.add_conditional_edges("tool", lambda st: END if st["step"] >= args.steps else "tool")
    conn = sqlite3.connect(os.path.join(args.work, "langgraph.sqlite"), check_same_thread=False)
    app = graph.compile(checkpointer=SqliteSaver(conn))
    config = {"configurable": {"thread_id": "bench"}, "recursion_limit": args.steps + 10}
    started = time.perf_counter()
    app.invoke(None if args.resume else {"step": 0}, config, durability="sync")
    elapsed = time.perf_counter() - started
    conn.close()
    return elapsed, os.path.getsize(os.path.join(args.work, "langgraph.sqlite"))


def run_dbos(args):
    from dbos import DBOS, SetWorkflowID

    db = os.path.join(args.work, "dbos.sqlite")
    DBOS(config={"name": "bench", "system_database_url": f"sqlite:///{db}", "log_level": "WARNING"})

    @DBOS.step()
    def tool(s):
        effect(args.work_tree, s)

    @DBOS.workflow()
    def agent(n):
        for s in range(n):
            maybe_die(args, s)
            tool(s)
        return n

    started = time.perf_counter()
    DBOS.launch()  # recovers the pending workflow of a killed process, from its last recorded step
    if args.resume:
        DBOS.retrieve_workflow("bench").get_result()
    else:
        with SetWorkflowID("bench"):
            agent(args.steps)
    elapsed = time.perf_counter() - started
    DBOS.destroy()
    return elapsed, os.path.getsize(db)


def run_temporal(args):
    import asyncio
    import concurrent.futures
    from temporalio.client import Client
    from temporalio.worker import UnsandboxedWorkflowRunner, Worker
    import temporal_agent

    def step(s):
        maybe_die(args, s)
        effect(args.work_tree, s)

    temporal_agent.run_step = step
    name = "bench-" + os.path.basename(os.path.abspath(args.work))

    async def run():
        client = await Client.connect(args.address)
        with concurrent.futures.ThreadPoolExecutor(max_workers=4) as pool:
            async with Worker(client, task_queue=name, workflows=[temporal_agent.Agent], activities=[temporal_agent.tool],
                              activity_executor=pool, workflow_runner=UnsandboxedWorkflowRunner()):
                started = time.perf_counter()
                if args.resume:
                    await client.get_workflow_handle(name).result()
                else:
                    await client.execute_workflow("BenchAgent", args.steps, id=name, task_queue=name)
                return time.perf_counter() - started

    return asyncio.run(run()), None


def peak_rss_kb():
    """VmHWM: this process's own peak (ru_maxrss would carry the high-water mark of the process that spawned it)."""
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def main():
    faulthandler.enable()  # a crash of native code (the Temporal SDK's Rust core) leaves its Python stacks in the log
    p = argparse.ArgumentParser()
    p.add_argument("system", choices=["langgraph", "dbos", "temporal"])
    p.add_argument("--work", required=True, help="a directory of its own: the workspace repository and the peer's database")
    p.add_argument("--steps", type=int, required=True)
    p.add_argument("--kill-at", type=int)
    p.add_argument("--resume", action="store_true")
    p.add_argument("--address", default="127.0.0.1:7233")
    args = p.parse_args()
    args.work_tree = os.path.join(args.work, "repo")
    if not args.resume:
        os.makedirs(args.work_tree, exist_ok=True)
        subprocess.run(["git", "init", "-q", args.work_tree], check=True)
        with open(os.path.join(args.work_tree, "README.md"), "w") as f:
            f.write("# bench\n")
        subprocess.run(["git", "add", "-A"], cwd=args.work_tree, check=True)
        subprocess.run(["git", "commit", "-q", "-m", "start"], cwd=args.work_tree, check=True)
    elapsed, store = {"langgraph": run_langgraph, "dbos": run_dbos, "temporal": run_temporal}[args.system](args)
    peak_kb = peak_rss_kb()
    print(json.dumps({"system": args.system, "seconds": elapsed, "msPerCall": elapsed * 1000 / args.steps,
                      "storeBytes": store, "peakRssMb": peak_kb / 1024}), flush=True)
    # The work is done and reported. Skip the interpreter's teardown: the Temporal SDK's Rust threads
    # can call into an interpreter that is being finalized, and the process then dies of SIGSEGV
    # (seen twice here: exit 139, "tokio-rt-worker ... segfault ... in libpython3.11") after its run succeeded.
    sys.stderr.flush()
    os._exit(0)


if __name__ == "__main__":
    main()
