import { SpanStatusCode, context, type Context } from "@opentelemetry/api";
import type { JetStreamClient, JsMsg } from "@nats-io/jetstream";
import type { NatsConnection } from "@nats-io/transport-node";
import {
  Bus,
  Consumers,
  ErrorCode,
  Subjects,
  ToolError,
  decodeJson,
  encodeJson,
  startProcessSpan,
  startPublishSpan,
  type Logger,
  type PoolName,
  type ResultMessage,
  type TaskMessage,
} from "@toolmesh/core";
import {
  inlineOutputLimit,
  maxPayloadOf,
  outputObjectName,
  publishUntilStored,
  putOutput,
  resultMsgId,
  type ObjectStore,
} from "@toolmesh/core";
import { receivedToolArgs } from "@toolmesh/tools";
import { setTimeout as sleep } from "node:timers/promises";
import type { AttemptLedger } from "./attempt-ledger.js";
import { CallContext } from "./call-context.js";
import { publishEvent } from "./task-events.js";
import { AbortReason, type AttemptAbort } from "./cancellations.js";
import type { ToolHandlers } from "./handler.js";
import type { PoolSeries, WorkerMetrics } from "./worker-metrics.js";

export { AbortReason };

export interface TaskRunnerDeps {
  nc: NatsConnection;
  js: JetStreamClient;
  pool: PoolName;
  instanceId: string;
  handlers: ToolHandlers;
  log: Logger;
  metrics: WorkerMetrics;
  /** The pool's hot series, labels bound once. */
  series: PoolSeries;
  /** Latency sink for the metrics bus. */
  onFinished(tool: string, ms: number, ok: boolean, quality?: number): void;
  /** Outputs above this many bytes go to the object store, not in the result message. */
  inlineOutputBytes: number;
  /** Outputs above this many bytes fail with RESOURCE_EXHAUSTED. */
  maxOutputBytes: number;
  outputStore(): Promise<ObjectStore>;
  ledger: AttemptLedger;
  /** The pool consumer's max deliveries: the last one must be answered, not handed back. */
  maxDeliver: number;
}

/**
 * Runs one delivered task to completion: the attempt claimed in the ledger,
 * the handler inside a span that continues the dispatcher's trace, the
 * result recorded in the ledger, published to TM_RESULTS (retried until
 * JetStream has stored it, through a server restart) or, for a quiet call,
 * sent to the coordinator's reply subject, and only then the task acked. A
 * redelivered attempt is answered from the ledger instead of being run again
 * (see AttemptLedger). `register` is called once the task is decoded: the
 * caller heartbeats it from then until this returns, and aborts `abort` on
 * its deadline, a cancel or shutdown.
 */
export async function runTask(msg: JsMsg, deps: TaskRunnerDeps, abort: AttemptAbort, register: (task: TaskMessage) => void): Promise<void> {
  const startedAtMs = Date.now();
  let task: TaskMessage;
  try {
    task = decodeJson<TaskMessage>(msg.data);
  } catch (err) {
    deps.log.error({ err, seq: msg.seq }, "dropping undecodable task message");
    msg.term();
    return;
  }
  if (msg.redelivered) deps.series.redeliveries.inc();
  register(task);

  // The CONSUMER span continues the coordinator's PRODUCER span, carried in the message's headers.
  const { span, ctx: spanContext } = startProcessSpan({ subject: msg.subject }, msg.headers, {
    consumerGroup: Consumers.poolWorkers,
    // Built only when the span is recorded.
    attributes: () => ({
      "messaging.message.id": msg.headers?.get("Nats-Msg-Id") ?? "",
      "toolmesh.pool": deps.pool,
      "toolmesh.tool": task.tool,
      "toolmesh.workflow_id": task.workflowId,
      "toolmesh.task_id": task.taskId,
      "toolmesh.attempt": task.attempt,
      "toolmesh.worker": deps.instanceId,
    }),
  });
  const claim = deps.ledger.claimHere(task) ?? (await deps.ledger.claim(task, (msg.info.deliveryCount ?? 1) >= deps.maxDeliver));
  deps.series.claim(claim.kind);
  if (claim.kind !== "run") {
    span.setAttribute("toolmesh.ledger", claim.kind);
    deps.log.info(
      { workflowId: task.workflowId, taskId: task.taskId, attempt: task.attempt, claim: claim.kind, delivery: msg.info.deliveryCount },
      "redelivered attempt answered from the attempt ledger",
    );
    try {
      // A copy of an attempt this instance is running: the run acks it; this copy is left to the ack wait.
      if (claim.kind === "busy") return;
      if (claim.kind === "held") return msg.nak(claim.retryInMs);
      const settled =
        claim.kind === "replay" ? claim.result : await deps.ledger.complete(task, claim.revision, outcomeUnknown(deps, task, claim));
      await publishResult(deps, msg, task, settled, spanContext);
      return;
    } finally {
      span.end();
    }
  }
  if (!task.quiet) publishEvent(deps, task, { kind: "task.started", timeMs: startedAtMs }, spanContext);

  let output: Record<string, unknown> | undefined;
  let error: ToolError | undefined;
  let callContext: CallContext | undefined;
  try {
    if (abort.aborted) throw abort.reason;
    if (Date.now() > task.deadlineMs) throw new ToolError(ErrorCode.DEADLINE_EXCEEDED, "task deadline passed before it started");
    const handler = deps.handlers[task.tool];
    if (!handler) throw new ToolError(ErrorCode.NOT_FOUND, `pool ${deps.pool} has no handler for ${task.tool}`);
    const args = receivedToolArgs(task.tool, task.args, task.argsSchema);
    const ctx = (callContext = new CallContext(deps, task, abort, spanContext));
    output = await untilAborted(
      abort,
      context.with(spanContext, () => handler(args, ctx)),
    );
    // A handler that ignored its signal still reports the abort, not a result
    // nobody waits for.
    if (abort.aborted) throw abort.reason;
  } catch (err) {
    error = abort.aborted && abort.reason instanceof ToolError ? abort.reason : ToolError.from(err);
  }
  const quality = callContext?.reportedQuality;

  const finishedAtMs = Date.now();
  const result = resultHeader(deps, task, startedAtMs, finishedAtMs);
  if (error) result.error = error.toShape();
  else result.output = output ?? {};
  const outcome = error ? "error" : "ok";
  deps.series.finished(task.tool, outcome, (finishedAtMs - startedAtMs) / 1000);
  if (error) deps.metrics.errors.inc({ pool: deps.pool, tool: task.tool, code: error.code });
  deps.onFinished(task.tool, finishedAtMs - startedAtMs, !error, quality);
  if (error) {
    span.setStatus({ code: SpanStatusCode.ERROR, message: error.message });
    span.setAttribute("toolmesh.error_code", error.code);
  }

  try {
    // A finished result is never dropped: the object store and the ledger are waited for as the publish is.
    // The common case (an inline output, a read-only tool) settles without a promise.
    const bytes = encodeJson(result);
    const wire = fitsInline(deps, result, bytes)
      ? result
      : await untilDone(deps, "store a large output", () => resultPayload(deps, result, bytes));
    const settled = deps.ledger.completeHere(task, claim.revision, wire) ?? (await deps.ledger.complete(task, claim.revision, wire));
    // Encoded once: the message is these bytes unless the ledger settled the attempt otherwise.
    const encoded = settled === result ? bytes : undefined;
    await publishResult(deps, msg, task, settled, spanContext, encoded);
  } finally {
    span.end();
  }
}

/** A result's fixed fields, as one object literal (spreads built it a field at a time, per task). */
function resultHeader(deps: TaskRunnerDeps, task: TaskMessage, startedAtMs: number, finishedAtMs: number): ResultMessage {
  const result: ResultMessage = {
    workflowId: task.workflowId,
    taskId: task.taskId,
    attempt: task.attempt,
    worker: deps.instanceId,
    pool: deps.pool,
    startedAtMs,
    finishedAtMs,
  };
  if (task.attemptToken) result.attemptToken = task.attemptToken;
  return result;
}

/**
 * The result of an attempt that began elsewhere and whose outcome was lost
 * (its worker died, or its result never reached the ledger): a side-effecting
 * tool is not run again behind the caller's back; the retry policy decides.
 */
function outcomeUnknown(deps: TaskRunnerDeps, task: TaskMessage, claim: { instance: string; startedAtMs: number }): ResultMessage {
  const began = new Date(claim.startedAtMs).toISOString();
  return {
    ...resultHeader(deps, task, claim.startedAtMs, Date.now()),
    error: {
      code: ErrorCode.UNAVAILABLE,
      message: `outcome unknown: attempt ${task.attempt} of ${task.tool} started on instance ${claim.instance} at ${began} and its outcome was lost (the worker or the bus failed before its result was stored); it was not run again because ${task.tool} has side effects — the task's retry policy decides whether to try again`,
      retryable: true,
    },
  };
}

const utf8 = new TextEncoder();

/** `bytes` (a JSON object) with one more string field at its end. */
function withField(bytes: Uint8Array, name: string, value: string): Uint8Array {
  const tail = utf8.encode(`${bytes.length > 2 ? "," : ""}${JSON.stringify(name)}:${JSON.stringify(value)}}`);
  const out = new Uint8Array(bytes.length - 1 + tail.length);
  out.set(bytes.subarray(0, bytes.length - 1));
  out.set(tail, bytes.length - 1);
  return out;
}

/** Where a quiet call's result may go: a coordinator's reply subject (Subjects.quietResult), nothing else. */
const QUIET_REPLY_PREFIX = `${Bus.data}.reply.`;

/** How long after a quiet call's deadline its coordinator may still take the result (its deadline grace, and some). */
const QUIET_WAIT_AFTER_DEADLINE_MS = 5_000;

/** A quiet call's reply subject (a coordinator's, Subjects.quietResult), or undefined for a stored result. */
function quietReplySubject(task: TaskMessage): string | undefined {
  const replyTo = task.replyTo;
  return typeof replyTo === "string" && replyTo.startsWith(QUIET_REPLY_PREFIX) ? replyTo : undefined;
}

/** publishResult for a quiet call: one core message, sent now. */
function sendQuietResult(
  deps: TaskRunnerDeps,
  msg: JsMsg,
  task: TaskMessage,
  replyTo: string,
  result: ResultMessage,
  spanContext: Context,
  encoded?: Uint8Array,
): void {
  // A JsMsg from a pull consumer always has its ack subject; the type does not say so.
  const ackTo = (msg as JsMsg & { reply?: string }).reply;
  const bytes = encoded ?? encodeJson(result);
  const payload = ackTo ? withField(bytes, "ackTo", ackTo) : bytes;
  const ackHere = !ackTo || (msg.info.deliveryCount ?? 1) >= deps.maxDeliver || Date.now() > task.deadlineMs + QUIET_WAIT_AFTER_DEADLINE_MS;
  const publish = startPublishSpan({ subject: replyTo, template: QUIET_REPLY_TEMPLATE }, spanContext, payload.length);
  try {
    // Headers only when recorded: this is the fast path, and nobody reads an unrecorded context.
    deps.nc.publish(replyTo, payload, publish.span.isRecording() ? { headers: publish.headers } : undefined);
    publish.end();
    if (ackHere) msg.ack();
  } catch (err) {
    publish.end(err);
    // Not acked: the attempt comes back, and the ledger answers it.
    deps.log.warn({ err, workflowId: task.workflowId }, "could not send a quiet call's result");
  }
}

/**
 * Publishes the attempt's result until TM_RESULTS has stored it, then acks
 * the task (a lost ack is what the ledger is for). A quiet call's result is
 * one core message to the coordinator that waits for it, which acks the task
 * once it has it: a result lost on the way brings the attempt back after the
 * ack wait, and the ledger answers it again. The worker acks it itself only
 * when nobody would: on the consumer's last delivery, or once the
 * coordinator no longer waits for the call.
 */
function publishResult(
  deps: TaskRunnerDeps,
  msg: JsMsg,
  task: TaskMessage,
  result: ResultMessage,
  spanContext: Context,
  encoded?: Uint8Array,
): Promise<void> | undefined {
  const replyTo = quietReplySubject(task);
  if (replyTo) {
    // Sent at once: no promise on the hot path.
    sendQuietResult(deps, msg, task, replyTo, result, spanContext, encoded);
    return undefined;
  }
  return publishStoredResult(deps, msg, task, encoded ?? encodeJson(result), spanContext);
}

async function publishStoredResult(
  deps: TaskRunnerDeps,
  msg: JsMsg,
  task: TaskMessage,
  bytes: Uint8Array,
  spanContext: Context,
): Promise<void> {
  const subject = Subjects.result(task.workflowId);
  const publish = startPublishSpan({ subject, template: RESULT_TEMPLATE }, spanContext, bytes.length);
  try {
    await publishUntilStored(deps.js, subject, bytes, { msgID: resultMsgId(task), headers: publish.headers }, { log: deps.log });
    publish.end();
  } catch (err) {
    publish.end(err);
    throw err;
  }
  // Not awaited (ackAck): an ack lost in a crash brings the attempt back, and the ledger answers it.
  msg.ack();
}

/** Retries `work` with backoff until it succeeds (the bus is restarting). */
async function untilDone<T>(deps: TaskRunnerDeps, what: string, work: () => Promise<T>): Promise<T> {
  for (let delay = 100; ; delay = Math.min(delay * 2, 1000)) {
    try {
      return await work();
    } catch (err) {
      deps.log.warn({ err, what }, "retrying");
      await sleep(delay);
    }
  }
}

/** Span names of subjects that hold ids: their templates (messaging.destination.template). */
const RESULT_TEMPLATE = `${Bus.data}.result.{route}.{workflow_id}`;
const QUIET_REPLY_TEMPLATE = `${QUIET_REPLY_PREFIX}{coordinator}`;

/** Whether `result` (encoded: `bytes`) goes in the result message as it is. */
function fitsInline(deps: TaskRunnerDeps, result: ResultMessage, bytes: Uint8Array): boolean {
  return bytes.length <= inlineOutputLimit(deps.inlineOutputBytes, maxPayloadOf(deps.nc)) || !result.output;
}

/**
 * The result message as bytes. An output too large for the message goes to
 * the object store and the result carries a reference; one larger than
 * maxOutputBytes becomes a RESOURCE_EXHAUSTED error saying how to ask for
 * less, instead of a publish that fails on every redelivery.
 */
async function resultPayload(deps: TaskRunnerDeps, result: ResultMessage, bytes: Uint8Array): Promise<ResultMessage> {
  const { output, ...rest } = result;
  if (!output || fitsInline(deps, result, bytes)) return result;
  if (bytes.length > deps.maxOutputBytes) {
    return {
      ...rest,
      error: {
        code: ErrorCode.RESOURCE_EXHAUSTED,
        message: `output is ${bytes.length} bytes; a result can be at most ${deps.maxOutputBytes} bytes: ask for less (maxResults, a line range, a narrower path)`,
        retryable: false,
      },
    };
  }
  const outputRef = await putOutput(await deps.outputStore(), outputObjectName(result.workflowId, result.taskId, result.attempt), output);
  return { ...rest, outputRef };
}

/**
 * The handler's result, or its signal's abort reason as soon as it aborts:
 * a handler that ignores its signal cannot hold the slot (and heartbeat the
 * task) forever. Its work is abandoned, not killed: what a handler started
 * is the handler's to stop.
 */
function untilAborted<T>(abort: AttemptAbort, work: Promise<T>): Promise<T> {
  if (abort.aborted) return Promise.reject(abort.reason);
  return new Promise<T>((resolve, reject) => {
    abort.onAbort = reject;
    work.then(
      (value) => {
        abort.onAbort = undefined;
        resolve(value);
      },
      (err: unknown) => {
        abort.onAbort = undefined;
        reject(err);
      },
    );
  });
}
