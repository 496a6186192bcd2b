import {
  DEFAULT_MAX_PAYLOAD,
  DUPLICATE_WINDOW_MS,
  INLINE_OUTPUT_BYTES,
  MAX_OUTPUT_BYTES,
  PUBLISH_RETRY,
  RESEND_WINDOW_MS,
  RESULT_ENVELOPE_BYTES,
  SUBJECT_TOKEN,
  TASK_HEADER_ROOM_BYTES,
  TASK_ROOM_BYTES,
  encodeJson,
  inlineOutputLimit,
  maxTaskArgsBytes,
  maxTaskMessageBytes,
  resultMsgId,
  taskMsgId,
  type TaskMessage,
} from "@toolmesh/core";
import { describe, expect, it } from "vitest";

/** The longest ids a spec may carry: 64 id characters, a fan-out item's 9-digit index. */
const WORKFLOW_ID = "w".repeat(64);
const TASK_ID = `${"t".repeat(64)}[999999999]`;
const TOKEN = "k".repeat(43);

/** A NATS header block as the client writes it, for the headers a publish of ours carries (W3C's longest tracestate). */
function headerBytes(msgId: string): number {
  const lines = [`Nats-Msg-Id: ${msgId}`, `traceparent: 00-${"a".repeat(32)}-${"b".repeat(16)}-01`, `tracestate: ${"s".repeat(512)}`];
  return Buffer.byteLength(`NATS/1.0\r\n${lines.join("\r\n")}\r\n\r\n`);
}

describe("message ids", () => {
  it("are one per attempt: a retry is a new message, however late it comes", () => {
    const ids = new Set<string>();
    for (const wf of ["w1", "w2"])
      for (const task of ["a", "b", "a[1]", "a[11]"]) for (const attempt of [1, 2, 11]) ids.add(taskMsgId(wf, task, attempt));
    expect(ids.size).toBe(2 * 4 * 3);
    // Ids are subject tokens (no "."), so the separator cannot make two triples collide.
    expect(SUBJECT_TOKEN.test("a.b")).toBe(false);
    expect(taskMsgId("w", "a", 1)).toBe("w.a.1");
  });

  it("a result's id is its attempt's plus a digest of the token: the same for every publish of it, unguessable without the token", () => {
    const task = { workflowId: "w", taskId: "a", attempt: 2, attemptToken: TOKEN };
    expect(resultMsgId(task)).toBe(resultMsgId({ ...task }));
    expect(resultMsgId(task)).toMatch(/^w\.a\.2\.[A-Za-z0-9_-]{16}$/);
    expect(resultMsgId({ ...task, attemptToken: "other" })).not.toBe(resultMsgId(task));
    expect(resultMsgId({ ...task, attempt: 3 })).not.toBe(resultMsgId(task));
    expect(resultMsgId({ workflowId: "w", taskId: "a", attempt: 2 })).toBe(taskMsgId("w", "a", 2));
  });
});

describe("time windows", () => {
  it("a resend begun inside the resend window is stored inside the duplicate window", () => {
    // The latest resend's first try: its wait for the ack, then one backoff at most before the next.
    expect(RESEND_WINDOW_MS + PUBLISH_RETRY.tryTimeoutMs + PUBLISH_RETRY.maxDelayMs).toBeLessThan(DUPLICATE_WINDOW_MS);
    expect(PUBLISH_RETRY.firstDelayMs).toBeLessThanOrEqual(PUBLISH_RETRY.maxDelayMs);
  });
});

describe("byte budgets", () => {
  it("a task whose arguments pass the submit check fits its message, and the message with its headers fits max_payload", () => {
    expect(TASK_ROOM_BYTES).toBeGreaterThan(TASK_HEADER_ROOM_BYTES);
    for (const maxPayload of [DEFAULT_MAX_PAYLOAD, 64 * 1024, 8 * 1024 * 1024]) {
      const argBytes = maxTaskArgsBytes(maxPayload);
      const args = { pad: "x".repeat(argBytes - Buffer.byteLength('{"pad":""}')) };
      expect(Buffer.byteLength(JSON.stringify(args))).toBe(argBytes);
      const message: TaskMessage = {
        workflowId: WORKFLOW_ID,
        taskId: TASK_ID,
        tool: `${"m".repeat(64)}.${"t".repeat(128)}`,
        args,
        attempt: 1_000_000,
        deadlineMs: 8_640_000_000_000_000,
        quiet: true,
        capability: TOKEN,
        attemptToken: TOKEN,
      };
      expect(encodeJson(message).length).toBeLessThanOrEqual(maxTaskMessageBytes(maxPayload));
      expect(maxTaskMessageBytes(maxPayload) + headerBytes(taskMsgId(WORKFLOW_ID, TASK_ID, 1_000_000))).toBeLessThanOrEqual(maxPayload);
    }
    expect(maxTaskArgsBytes(TASK_ROOM_BYTES - 1)).toBe(0);
  });

  it("an inline output leaves room for the result's headers; larger outputs go to the object store up to a larger cap", () => {
    expect(INLINE_OUTPUT_BYTES + RESULT_ENVELOPE_BYTES).toBeLessThanOrEqual(DEFAULT_MAX_PAYLOAD);
    expect(inlineOutputLimit(INLINE_OUTPUT_BYTES, DEFAULT_MAX_PAYLOAD)).toBe(INLINE_OUTPUT_BYTES);
    expect(inlineOutputLimit(INLINE_OUTPUT_BYTES, 64 * 1024)).toBe(64 * 1024 - RESULT_ENVELOPE_BYTES);
    expect(
      headerBytes(resultMsgId({ workflowId: WORKFLOW_ID, taskId: TASK_ID, attempt: 1_000_000, attemptToken: TOKEN })),
    ).toBeLessThanOrEqual(RESULT_ENVELOPE_BYTES);
    expect(MAX_OUTPUT_BYTES).toBeGreaterThan(INLINE_OUTPUT_BYTES);
  });
});
