import type { Context } from "@opentelemetry/api";
import type { ResultMessage, ToolErrorShape } from "@toolmesh/core";
import { TaskState, type TaskStatus } from "@toolmesh/proto";
import type { OutputRef } from "../workflow/run.js";
import type { PreparedCall } from "./prepare.js";

/** The one task of a quiet call, as its task message and result name it. */
export const QUIET_TASK_ID = "call";

export type QuietCallState = "pending" | "queued" | "succeeded" | "failed" | "cancelled";

/**
 * One quiet call in flight: its current attempt, the timer of its deadline
 * or backoff, and how it ended. Lives in memory only, in the coordinator
 * instance that took the call; `finished` resolves once it has ended.
 */
export class QuietCall {
  readonly id: string;
  readonly spec: PreparedCall;
  /** The caller's trace context: every attempt's task message carries it. */
  readonly parent: Context;
  attempt = 0;
  /** Each attempt's token (index attempt − 1), set when the attempt leaves for its pool. */
  readonly tokens: string[] = [];
  state: QuietCallState = "pending";
  timer?: NodeJS.Timeout;
  error?: ToolErrorShape;
  result?: ResultMessage & { outputRef?: OutputRef };
  /** The result message's size: about what its answer takes on the wire. */
  resultBytes = 0;
  readonly finished: Promise<void>;
  #settle!: () => void;
  readonly #cancel: (call: QuietCall, reason: string) => void;

  constructor(id: string, spec: PreparedCall, parent: Context, cancel: (call: QuietCall, reason: string) => void) {
    this.id = id;
    this.spec = spec;
    this.parent = parent;
    this.#cancel = cancel;
    this.finished = new Promise((resolve) => (this.#settle = resolve));
  }

  get done(): boolean {
    return this.state === "succeeded" || this.state === "failed" || this.state === "cancelled";
  }

  /** The caller went away: the attempt in its worker is aborted, and the call ends as cancelled. */
  cancel(reason: string): void {
    this.#cancel(this, reason);
  }

  /** Called once, when the call ended. */
  settle(): void {
    this.#settle();
  }

  /** A succeeded call's TaskStatus, as GetWorkflow would show its task, with the whole output. */
  status(output: Record<string, unknown>): TaskStatus {
    return {
      id: QUIET_TASK_ID,
      tool: this.spec.tool,
      pool: this.spec.pool,
      state: TaskState.TASK_STATE_SUCCEEDED,
      attempt: this.attempt,
      output,
      error: undefined,
      startedAtMs: this.result?.startedAtMs ?? 0,
      finishedAtMs: this.result?.finishedAtMs ?? 0,
      worker: this.result?.worker ?? "",
      dependsOn: [],
      sharedFrom: "",
      // The caller sent them: a quiet answer does not echo them back.
      args: undefined,
      stage: "",
    };
  }
}
