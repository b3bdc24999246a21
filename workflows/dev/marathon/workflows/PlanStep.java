package dev.marathon.workflows;

/** One step of the agent's plan, as it last set it with {@code update_plan}. */
public record PlanStep(String step, StepStatus status) {}
