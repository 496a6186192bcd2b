/**
 * Budget arithmetic of one agent, kept pure (no clock or I/O of its own) so
 * every rule is unit-tested: what is left, whether a batch of calls fits, and
 * what a child agent may be given. A child never gets more than its parent
 * has left, so a whole tree of agents stays within the root's budget.
 */
import { ErrorCode, ToolError } from "@toolmesh/core";
import { MAX_AGENT_DEPTH } from "@toolmesh/tools";

/** The fields of agent.run's `budget` argument. */
export interface Budget {
  maxDepth: number;
  maxCalls: number;
  maxConcurrency: number;
  wallMs: number;
  maxTokens: number;
}

/** What an agent has spent so far. */
export interface Spent {
  calls: number;
  inputTokens: number;
  outputTokens: number;
}

export interface Remaining {
  calls: number;
  tokens: number;
  ms: number;
}

export const nothingSpent = (): Spent => ({ calls: 0, inputTokens: 0, outputTokens: 0 });

/** What is left of `budget` at `now` for an agent that started at `startedAt`. */
export function remaining(budget: Budget, spent: Spent, startedAt: number, now: number): Remaining {
  return {
    calls: Math.max(0, budget.maxCalls - spent.calls),
    tokens: Math.max(0, budget.maxTokens - spent.inputTokens - spent.outputTokens),
    ms: Math.max(0, startedAt + budget.wallMs - now),
  };
}

/**
 * Refuses a batch that needs more calls than are left. Runaway fan-out is an
 * error the caller sees at once, never a workflow that waits for capacity.
 */
export function checkBatch(cost: number, left: Remaining): void {
  if (cost > left.calls) {
    throw new ToolError(
      ErrorCode.RESOURCE_EXHAUSTED,
      `call budget exceeded: this batch needs ${cost} calls but only ${left.calls} of the agent's maxCalls are left; ask for fewer calls or a larger budget.maxCalls`,
      { retryable: false },
    );
  }
  if (left.ms <= 0) {
    throw new ToolError(ErrorCode.DEADLINE_EXCEEDED, "the agent's wallMs budget is spent", { retryable: false });
  }
}

/** Refuses to start another LLM turn once the tokens are spent. */
export function tokensLeft(left: Remaining): boolean {
  return left.tokens > 0;
}

/**
 * The budget a child agent gets: what it asked for, clamped to what the
 * parent has left. `callsForChild` is the parent's calls left for this child
 * after the batch's other calls (the caller splits them between siblings).
 */
export function childBudget(parent: Budget, left: Remaining, callsForChild: number, requested: Partial<Budget> = {}): Budget {
  if (parent.maxDepth <= 0) {
    throw new ToolError(
      ErrorCode.RESOURCE_EXHAUSTED,
      `agents nest at most ${MAX_AGENT_DEPTH} deep: this agent has maxDepth 0 and may not start agent.run; do the work with other tools`,
      { retryable: false },
    );
  }
  if (callsForChild < 1) {
    throw new ToolError(
      ErrorCode.RESOURCE_EXHAUSTED,
      `call budget exceeded: a child agent needs at least 1 call but ${left.calls} of the agent's maxCalls are left for this batch`,
      { retryable: false },
    );
  }
  if (left.tokens < 1)
    throw new ToolError(ErrorCode.RESOURCE_EXHAUSTED, "token budget spent: no tokens left for a child agent", { retryable: false });
  if (left.ms < 100)
    throw new ToolError(ErrorCode.DEADLINE_EXCEEDED, "wallMs budget spent: too little time left for a child agent", { retryable: false });
  const clamp = (want: number | undefined, max: number): number => Math.min(want ?? max, max);
  return {
    maxDepth: clamp(requested.maxDepth, parent.maxDepth - 1),
    maxCalls: clamp(requested.maxCalls, callsForChild),
    maxConcurrency: clamp(requested.maxConcurrency, parent.maxConcurrency),
    wallMs: clamp(requested.wallMs, left.ms),
    maxTokens: clamp(requested.maxTokens, left.tokens),
  };
}

/**
 * Splits the calls left after a batch's plain calls evenly between its child
 * agents, so siblings together cannot overspend. Each child agent task is
 * itself one call.
 */
export function callsPerChild(left: Remaining, plainCalls: number, childAgents: number): number {
  if (childAgents === 0) return 0;
  const free = left.calls - plainCalls - childAgents;
  return Math.floor(free / childAgents);
}
