import type { Context } from "@opentelemetry/api";
import type { NatsConnection } from "@nats-io/transport-node";
import { Subjects, encodeJson, type Logger, type PoolName, type TaskMessage } from "@toolmesh/core";
import type { AttemptAbort } from "./cancellations.js";
import type { ToolCallContext } from "./handler.js";
import { publishEvent } from "./task-events.js";

export interface CallContextDeps {
  nc: NatsConnection;
  log: Logger;
  pool: PoolName;
  instanceId: string;
}

/**
 * What a handler gets besides its arguments, for one attempt. A class, its
 * parts made on first use: most handlers never log, stream or report
 * progress, and an object literal with getters and three closures per task
 * was a worker's largest allocation per quiet call. The functions it hands
 * out are bound (a handler may pass `ctx.chunk` on as a callback).
 */
export class CallContext implements ToolCallContext {
  readonly workflowId: string;
  readonly taskId: string;
  readonly attempt: number;
  readonly capability?: string;
  /** What the handler reported through quality(), if it did. */
  reportedQuality?: number;
  readonly #deps: CallContextDeps;
  readonly #task: TaskMessage;
  readonly #abort: AttemptAbort;
  readonly #spanContext: Context;
  #log?: Logger;
  #chunk?: ToolCallContext["chunk"];
  #progress?: ToolCallContext["progress"];
  #quality?: ToolCallContext["quality"];
  #chunkSeq = 0;

  constructor(deps: CallContextDeps, task: TaskMessage, abort: AttemptAbort, spanContext: Context) {
    this.workflowId = task.workflowId;
    this.taskId = task.taskId;
    this.attempt = task.attempt;
    if (task.capability) this.capability = task.capability;
    this.#deps = deps;
    this.#task = task;
    this.#abort = abort;
    this.#spanContext = spanContext;
  }

  get signal(): AbortSignal {
    return this.#abort.signal;
  }

  get log(): Logger {
    return (this.#log ??= this.#deps.log.child({ workflowId: this.workflowId, taskId: this.taskId }));
  }

  get chunk(): ToolCallContext["chunk"] {
    return (this.#chunk ??= (stream, data) => {
      try {
        const body = { stream, data, attempt: this.attempt, seq: this.#chunkSeq++ };
        this.#deps.nc.publish(Subjects.chunk(this.workflowId, this.taskId), encodeJson(body));
      } catch (err) {
        this.#deps.log.debug({ err }, "could not publish an output chunk");
      }
    });
  }

  get progress(): ToolCallContext["progress"] {
    return (this.#progress ??= (update) => {
      if (this.#task.quiet) return;
      publishEvent(this.#deps, this.#task, { kind: "task.progress", timeMs: Date.now(), progress: update }, this.#spanContext);
    });
  }

  get quality(): ToolCallContext["quality"] {
    return (this.#quality ??= (score) => {
      this.reportedQuality = score;
    });
  }
}
