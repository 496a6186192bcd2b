import type { NatsConnection } from "@nats-io/transport-node";
import { createHash } from "node:crypto";
import type { TaskMessage } from "./wire.js";

/**
 * The bus's coupled numbers, written once: the message ids of an attempt,
 * JetStream's duplicate window and how long the same id may be sent again,
 * and the byte budgets of one NATS message. Each depends on another;
 * test/wire-limits.test.ts asserts how:
 *
 * - a resend under an attempt's id lands inside the duplicate window;
 * - the ids of two attempts (or two tasks) never collide, so a retry is a
 *   new message however long after the first it comes;
 * - a task whose arguments pass the submit check fits its task message's
 *   budget, and that budget fits max_payload with room for headers;
 * - an inline output leaves room in max_payload for the result's envelope.
 */

// ---- message ids ------------------------------------------------------------

/** A task message's Nats-Msg-Id: one per attempt, so a resend of it is dropped by TM_TASKS_<POOL>'s duplicate window. */
export function taskMsgId(workflowId: string, taskId: string, attempt: number): string {
  return `${workflowId}.${taskId}.${attempt}`;
}

/**
 * The result's Nats-Msg-Id: the attempt plus a digest of its token, so every
 * publish of one attempt's result (retries, a redelivery's replay) is one
 * message to TM_RESULTS's duplicate window, and a forger who does not hold
 * the token cannot take that id first and get the real result dropped.
 */
export function resultMsgId(task: Pick<TaskMessage, "workflowId" | "taskId" | "attempt" | "attemptToken">): string {
  const base = taskMsgId(task.workflowId, task.taskId, task.attempt);
  return task.attemptToken ? `${base}.${createHash("sha256").update(task.attemptToken).digest("base64url").slice(0, 16)}` : base;
}

// ---- time windows -----------------------------------------------------------

/** JetStream's duplicate window on every stream published to with an id (tasks, results, events). */
export const DUPLICATE_WINDOW_MS = 120_000;

/** publishUntilStored's defaults: one try's wait for the ack, and the backoff between tries (doubling). */
export const PUBLISH_RETRY = { tryTimeoutMs: 2000, firstDelayMs: 100, maxDelayMs: 1000 } as const;

/**
 * How long after queueing an attempt the coordinator may send it again under
 * the same id (after a restart it cannot know whether it was stored): inside
 * the duplicate window, with room for a try and a backoff to spare.
 */
export const RESEND_WINDOW_MS = 100_000;

// ---- bytes ------------------------------------------------------------------

/** nats-server's default max_payload, assumed when the connection has not said. */
export const DEFAULT_MAX_PAYLOAD = 1024 * 1024;

/** Room a task message leaves in max_payload for its headers (Nats-Msg-Id, trace context). */
export const TASK_HEADER_ROOM_BYTES = 4096;

/**
 * Bytes of a task message and its stored task record besides the arguments
 * (ids, tool, tokens, capability, headers): what the submit check leaves
 * free when it bounds one task's arguments.
 */
export const TASK_ROOM_BYTES = 8 * 1024;

/** Room a result message leaves in max_payload for its headers and its own fields. */
export const RESULT_ENVELOPE_BYTES = 4096;

/** Outputs above this go to the object store by default (and above what max_payload allows, always). */
export const INLINE_OUTPUT_BYTES = 256 * 1024;

/** Outputs above this fail with RESOURCE_EXHAUSTED by default: the object store is for large, not unbounded. */
export const MAX_OUTPUT_BYTES = 64 * 1024 * 1024;

/** gRPC messages between clients and the coordinator: large enough for the largest output a call may return. */
export const GRPC_MAX_MESSAGE_BYTES = MAX_OUTPUT_BYTES;

/** The server's max_payload, or nats-server's default before it said. */
export function maxPayloadOf(nc: NatsConnection): number {
  return nc.info?.max_payload ?? DEFAULT_MAX_PAYLOAD;
}

/** The most a task message's body may take. */
export function maxTaskMessageBytes(maxPayload: number): number {
  return maxPayload - TASK_HEADER_ROOM_BYTES;
}

/** The most one task's arguments may take as JSON (checked at submit, before anything is stored). */
export function maxTaskArgsBytes(maxPayload: number): number {
  return Math.max(0, maxPayload - TASK_ROOM_BYTES);
}

/** The largest result kept inline: the worker's setting, capped by what the message can carry. */
export function inlineOutputLimit(inlineOutputBytes: number, maxPayload: number): number {
  return Math.min(inlineOutputBytes, maxPayload - RESULT_ENVELOPE_BYTES);
}
