import { context, type Context } from "@opentelemetry/api";
import { type Subscription } from "@nats-io/transport-node";
import {
  Bus,
  Consumers,
  ErrorCode,
  Streams,
  Subjects,
  ToolError,
  decodeJson,
  encodeJson,
  isPoolName,
  PubAckPublisher,
  startProcessSpan,
  type CancelCommand,
  type PoolName,
  type ResultMessage,
  type TaskMessage,
  type ToolErrorShape,
} from "@toolmesh/core";
import type { TaskStatus } from "@toolmesh/proto";
import type { Counter } from "prom-client";
import { putOnWorkQueue, type TaskPublisherDeps } from "../engine/task-publisher.js";
import { mintCallId } from "../partition/workflow-ids.js";
import type { DispatchScheduler } from "../scheduler.js";
import { rejectResult } from "../workflow/attempt-tokens.js";
import { attemptTimeoutMs, backoffMs } from "../workflow/retry.js";
import type { OutputRef } from "../workflow/run.js";
import type { PreparedCall } from "./prepare.js";
import { QUIET_TASK_ID, QuietCall } from "./quiet-call.js";
import { FinishedCalls, checkQuietResult, randomToken } from "./quiet-tokens.js";

/** What the workflow path's publisher needs (its ensuredPools shared with it; acks of its own), and more. */
export interface QuietCallsDeps extends Omit<TaskPublisherDeps, "acks"> {
  scheduler: DispatchScheduler;
  loadOutput(ref: OutputRef): Promise<Record<string, unknown>>;
  /** This coordinator's route token (i<hex>): its calls' ids and its reply subject name it. */
  route: string;
}

const noop = (): void => undefined;

/** JetStream's ack (what JsMsg.ack() sends). */
const ACK = new TextEncoder().encode("+ACK");

/**
 * Quiet calls (CallTool, CallTools): one task each, kept in memory only. The
 * task goes through its pool's JetStream work queue like any other (a dead
 * worker's attempt is redelivered), but names this instance's reply subject,
 * and the worker answers there with a core message instead of through
 * TM_RESULTS: nothing about the call is stored. Deadlines, retries with
 * backoff, the pool's dispatch window, attempt tokens and cancel work as for
 * a workflow's task; a result for an attempt no longer waited for is dropped.
 */
export class QuietCalls {
  readonly #deps: QuietCallsDeps;
  readonly #calls = new Map<string, QuietCall>();
  /** Finished calls' tokens: a late answer from an attempt's holder still has its task acked. */
  readonly #finishedCalls = new FinishedCalls();
  readonly #replyTo: string;
  readonly #dispatched = new Map<string, Counter.Internal>();
  /** Bound once: a labelled inc() per call would look its labels up each time. */
  readonly #finished: Record<"succeeded" | "failed" | "cancelled", Counter.Internal>;
  #sub?: Subscription;
  /** Task publishes' acks on one subscription (no request, timer and Errors per publish). */
  #acks?: PubAckPublisher;

  constructor(deps: QuietCallsDeps) {
    this.#deps = deps;
    this.#replyTo = Subjects.quietResult(deps.route);
    const finished = (state: string): Counter.Internal => deps.metrics.callsFinished.labels({ state });
    this.#finished = { succeeded: finished("succeeded"), failed: finished("failed"), cancelled: finished("cancelled") };
  }

  /** Listens on this instance's reply subject. */
  start(): void {
    const { nc } = this.#deps;
    this.#acks = new PubAckPublisher(nc, (nc as { options?: { inboxPrefix?: string } }).options?.inboxPrefix);
    this.#sub = this.#deps.nc.subscribe(this.#replyTo, {
      callback: (err, msg) => {
        if (err) return;
        // A worker that records its spans sends their context: the result's handling continues it.
        if (!msg.headers) return this.#onResult(msg.data);
        const { span, ctx } = startProcessSpan({ subject: msg.subject, template: `${Bus.data}.reply.{coordinator}` }, msg.headers);
        context.with(ctx, () => this.#onResult(msg.data));
        span.end();
      },
    });
  }

  /** Stops listening; calls still in flight end UNAVAILABLE (nothing would answer them). */
  stop(): void {
    this.#sub?.unsubscribe();
    this.#acks?.close();
    for (const call of [...this.#calls.values()]) {
      call.error = { code: ErrorCode.UNAVAILABLE, message: "the coordinator stopped before the call finished", retryable: true };
      this.#finish(call, "failed");
    }
  }

  /** Calls in flight. */
  get size(): number {
    return this.#calls.size;
  }

  /** This instance's reply subject (what its task messages name). */
  get replyTo(): string {
    return this.#replyTo;
  }

  /** Starts a call; await `finished`, then read its state (see outcome()). */
  call(spec: PreparedCall, parent: Context): QuietCall {
    const call = new QuietCall(mintCallId(this.#deps.route), spec, parent, (c, reason) => this.#cancel(c, reason));
    this.#calls.set(call.id, call);
    this.#dispatch(call);
    return call;
  }

  /**
   * A finished call's TaskStatus with its whole output, or its error (the
   * tool's, a deadline's, a cancel's); `wireBytes`: about the status's size
   * encoded, when the output came inline (one kept in the object store may
   * be large).
   */
  async outcome(call: QuietCall): Promise<{ status: TaskStatus; wireBytes?: number } | { error: ToolErrorShape }> {
    await call.finished;
    if (call.state !== "succeeded") return { error: call.error ?? { code: ErrorCode.INTERNAL, message: "call failed", retryable: false } };
    const ref = call.result?.outputRef;
    if (ref) return { status: call.status(await this.#deps.loadOutput(ref)) };
    return { status: call.status(call.result?.output ?? {}), wireBytes: call.resultBytes };
  }

  #dispatch(call: QuietCall): void {
    call.attempt += 1;
    call.state = "queued";
    const attempt = call.attempt;
    this.#deps.scheduler.submit({
      runId: call.id,
      taskId: QUIET_TASK_ID,
      attempt,
      pool: call.spec.pool,
      priority: 0,
      runCap: 0,
      stillWanted: () => call.attempt === attempt && call.state === "queued",
      release: () => this.#release(call, attempt),
      resolve: noop,
      reject: (err: unknown) => this.#notQueued(call, attempt, err),
    });
  }

  /** Puts the attempt on its pool's work queue, stored before it counts as dispatched; its deadline runs from now. */
  async #release(call: QuietCall, attempt: number): Promise<void> {
    const { spec } = call;
    const { nc, js, jsm, ensuredPools, log } = this.#deps;
    const deadlineMs = Date.now() + spec.timeoutMs;
    call.timer = setTimeout(() => this.#onDeadline(call, attempt), attemptTimeoutMs(deadlineMs, Date.now()));
    const message: TaskMessage = {
      workflowId: call.id,
      taskId: QUIET_TASK_ID,
      tool: spec.tool,
      args: spec.args,
      argsSchema: spec.argsSchema,
      attempt,
      deadlineMs,
      quiet: true,
      replyTo: this.#replyTo,
      attemptToken: (call.tokens[attempt - 1] = randomToken()),
    };
    await putOnWorkQueue({ nc, js, jsm, log, ensuredPools, acks: this.#acks }, spec.pool, message, call.parent, () => {
      return !call.done && call.attempt === attempt && Date.now() < deadlineMs;
    });
    this.#dispatchedTo(spec.pool).inc();
  }

  #dispatchedTo(pool: PoolName): Counter.Internal {
    let counter = this.#dispatched.get(pool);
    if (!counter) this.#dispatched.set(pool, (counter = this.#deps.metrics.tasksDispatched.labels({ pool })));
    return counter;
  }

  #notQueued(call: QuietCall, attempt: number, err: unknown): void {
    if (call.attempt !== attempt || call.done) return;
    this.#ended(call);
    const message = `could not queue the task on pool ${call.spec.pool}: ${err instanceof Error ? err.message : String(err)}`;
    this.#fail(call, err instanceof ToolError ? err.toShape() : { code: ErrorCode.UNAVAILABLE, message, retryable: true });
  }

  #onDeadline(call: QuietCall, attempt: number): void {
    if (call.attempt !== attempt || call.done) return;
    this.#cancelRemote(call.id, QUIET_TASK_ID, "deadline exceeded");
    this.#ended(call);
    this.#fail(call, {
      code: ErrorCode.DEADLINE_EXCEEDED,
      message: `no result within ${call.spec.timeoutMs} ms (attempt ${attempt}); raise timeoutMs or check the ${call.spec.pool} pool's workers`,
      retryable: true,
    });
  }

  /**
   * A result on the reply subject: applied when it is the current attempt's
   * and carries its token. Every result from the holder of the attempt it
   * names has its task acked here, applied or not (a late or repeated answer
   * must leave the queue too); a forged one is dropped and acks nothing.
   */
  #onResult(data: Uint8Array): void {
    let result: ResultMessage & { outputRef?: OutputRef };
    try {
      result = decodeJson(data);
    } catch (err) {
      this.#deps.log.error({ err }, "bad quiet result message");
      return;
    }
    const call = this.#calls.get(result.workflowId);
    if (!call) {
      this.#deps.metrics.resultsIgnored.inc();
      const finished = this.#finishedCalls.get(result.workflowId);
      if (finished && !checkQuietResult(finished, QUIET_TASK_ID, result)) this.#ackTask(result);
      return;
    }
    const rejected = checkQuietResult({ pool: call.spec.pool, tokens: call.tokens }, QUIET_TASK_ID, result);
    if (rejected) {
      rejectResult(this.#deps, result, rejected);
      return;
    }
    if (result.attempt !== call.attempt) {
      // An earlier attempt's answer, from its holder: its task leaves the queue, the call waits on.
      this.#deps.metrics.resultsIgnored.inc();
      this.#ackTask(result);
      return;
    }
    this.#ackTask(result);
    this.#ended(call);
    call.result = result;
    call.resultBytes = data.length;
    if (result.error) this.#fail(call, result.error);
    else this.#finish(call, "succeeded");
  }

  /** Acks the task message a result answers: only an ack subject of the result's own pool's work queue. */
  #ackTask(result: ResultMessage): void {
    const ackTo = result.ackTo;
    if (typeof ackTo !== "string" || typeof result.pool !== "string" || !isPoolName(result.pool)) return;
    if (!ackTo.startsWith(`$JS.ACK.${Streams.tasks(result.pool)}.${Consumers.poolWorkers}.`)) return;
    try {
      this.#deps.nc.publish(ackTo, ACK);
    } catch (err) {
      // Not acked: the attempt comes back after the ack wait, and its worker's ledger answers it again.
      this.#deps.log.debug({ err }, "could not ack a quiet call's task");
    }
  }

  /** The current attempt is no longer in its pool: its deadline and its slot in the dispatch window go. */
  #ended(call: QuietCall): void {
    clearTimeout(call.timer);
    this.#deps.scheduler.ended(call.id, QUIET_TASK_ID, call.attempt);
  }

  /** The current attempt failed: another after a backoff while the retry policy allows, else the call fails. */
  #fail(call: QuietCall, error: ToolErrorShape): void {
    call.error = error;
    const { retry } = call.spec;
    if (error.retryable && call.attempt < retry.maxAttempts && !call.done) {
      call.state = "pending";
      call.timer = setTimeout(
        () => {
          if (call.state === "pending") this.#dispatch(call);
        },
        backoffMs(retry, call.attempt + 1),
      );
      return;
    }
    this.#finish(call, "failed");
  }

  #cancel(call: QuietCall, reason: string): void {
    if (call.done) return;
    // The whole (one-task) workflow: a worker also skips a redelivered copy of it.
    this.#cancelRemote(call.id, undefined, reason);
    this.#ended(call);
    call.error = { code: ErrorCode.CANCELLED, message: `cancelled: ${reason}`, retryable: false };
    this.#finish(call, "cancelled");
  }

  #cancelRemote(workflowId: string, taskId: string | undefined, reason: string): void {
    const command: CancelCommand = { workflowId, reason, ...(taskId ? { taskId } : {}) };
    try {
      this.#deps.nc.publish(Subjects.cancel, encodeJson(command));
    } catch (err) {
      this.#deps.log.warn({ err, workflowId }, "could not publish a cancel");
    }
  }

  #finish(call: QuietCall, state: "succeeded" | "failed" | "cancelled"): void {
    if (call.done) return;
    call.state = state;
    clearTimeout(call.timer);
    this.#calls.delete(call.id);
    this.#finishedCalls.add(call.id, { pool: call.spec.pool, tokens: call.tokens });
    this.#finished[state].inc();
    call.settle();
  }
}
