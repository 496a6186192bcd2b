/**
 * One agent.run call's state: its budget and what it has spent, its deadline
 * (start + wallMs, or the task's own signal, whichever comes first), the tools
 * it may use and the child workflows it started. Both policies run their
 * batches through `runBatch`, so the rules are the same for a plan and an LLM.
 */
import { ErrorCode, ToolError, abortedError, type Logger } from "@toolmesh/core";
import type { TaskSpec } from "@toolmesh/proto";
import { prepareBatch } from "./batch.js";
import { nothingSpent, remaining, type Budget, type Remaining, type Spent } from "./budget.js";
import { AGENT_CANCELLED, ChildWorkflows, type CoordinatorApi } from "./child-workflows.js";
import { settleWorkflow, type SettledBatch } from "./results.js";

export interface AgentSessionOptions {
  client: CoordinatorApi;
  parent: { workflowId: string; taskId: string; capability?: string };
  budget: Budget;
  tools: readonly string[];
  signal: AbortSignal;
  log: Logger;
  /** Task progress events: each child workflow as it starts and what was spent after it. */
  progress?: (update: Record<string, unknown>) => void;
  now?: () => number;
}

export class AgentSession {
  readonly budget: Budget;
  readonly tools: readonly string[];
  readonly spent: Spent = nothingSpent();
  readonly children: ChildWorkflows;
  /** Aborted by the task's signal or by this agent's own wall-clock deadline. */
  readonly signal: AbortSignal;
  readonly #startedAt: number;
  readonly #now: () => number;
  readonly #timer: NodeJS.Timeout;
  readonly #log: Logger;
  readonly #progress: (update: Record<string, unknown>) => void;

  constructor(options: AgentSessionOptions) {
    this.budget = options.budget;
    this.tools = options.tools;
    this.#now = options.now ?? Date.now;
    this.#startedAt = this.#now();
    this.#log = options.log;
    this.#progress = options.progress ?? (() => undefined);
    this.children = new ChildWorkflows(options.client, options.parent, options.log);
    const deadline = new AbortController();
    this.#timer = setTimeout(
      () =>
        deadline.abort(
          new ToolError(ErrorCode.DEADLINE_EXCEEDED, `the agent's wallMs budget (${options.budget.wallMs} ms) ran out`, {
            retryable: false,
          }),
        ),
      options.budget.wallMs,
    );
    this.#timer.unref();
    this.signal = AbortSignal.any([options.signal, deadline.signal]);
  }

  left(): Remaining {
    return remaining(this.budget, this.spent, this.#startedAt, this.#now());
  }

  addTokens(input: number, output: number): void {
    this.spent.inputTokens += input;
    this.spent.outputTokens += output;
  }

  /** Checks, submits and waits for one batch as one child workflow; spends what it used. */
  async runBatch(name: string, tasks: TaskSpec[]): Promise<SettledBatch> {
    this.throwIfAborted();
    const left = this.left();
    const batch = prepareBatch(tasks, { budget: this.budget, left, tools: this.tools });
    this.#log.info({ tasks: tasks.length, reservedCalls: batch.reservedCalls, callsLeft: left.calls }, "batch");
    const id = await this.children.submit(name, batch.tasks, {
      maxConcurrency: this.budget.maxConcurrency,
      // Child agents' calls run in their own workflows; this one may make the rest.
      maxCalls: Math.max(1, left.calls - batch.childCalls),
      timeoutMs: Math.max(100, left.ms),
    });
    return this.#settle(id);
  }

  /** Runs a coordinator template as one child workflow (the plan policy's plan.template). */
  async runTemplate(template: string, params: Record<string, unknown>): Promise<SettledBatch> {
    this.throwIfAborted();
    const id = await this.children.runTemplate(template, params);
    return this.#settle(id);
  }

  async #settle(id: string): Promise<SettledBatch> {
    this.#progress({ phase: "child started", childWorkflowId: id });
    const settled = settleWorkflow(await this.children.wait(id, this.signal));
    this.spent.calls += settled.calls;
    this.addTokens(settled.tokens.input, settled.tokens.output);
    const left = this.left();
    this.#progress({
      phase: "child finished",
      childWorkflowId: id,
      succeeded: settled.succeeded,
      calls: this.spent.calls,
      callsLeft: left.calls,
      tokensLeft: left.tokens,
    });
    return settled;
  }

  throwIfAborted(): void {
    if (this.signal.aborted) throw abortedError(this.signal, AGENT_CANCELLED);
  }

  /** Cancels children still running (after an abort or failure) and stops the deadline timer. */
  async close(reason: string): Promise<void> {
    clearTimeout(this.#timer);
    await this.children.cancelRunning(reason);
  }
}
