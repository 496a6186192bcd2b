import type { BatchedAnswer } from "@toolmesh/proto";
import { describe, expect, it } from "vitest";
import { AnswerBatch, MAX_ANSWERS_PER_MESSAGE, MAX_BATCHED_ANSWER_BYTES, MAX_BATCH_BYTES } from "../src/grpc/answer-batch.js";

const answer = (id: number): BatchedAnswer => ({ requestId: String(id), result: undefined, error: undefined });
const ids = (messages: BatchedAnswer[][]): string[][] => messages.map((m) => m.map((a) => a.requestId));
const nextTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe("AnswerBatch", () => {
  it("sends the answers added in one turn as one message, after the turn's callbacks", async () => {
    const sent: BatchedAnswer[][] = [];
    const batch = new AnswerBatch((answers) => sent.push(answers));
    batch.add(answer(1), 100);
    // Answers settled by promise callbacks of the same turn go along.
    await Promise.resolve().then(() => batch.add(answer(2), 100));
    expect(sent).toEqual([]);
    await nextTurn();
    batch.add(answer(3), 100);
    await nextTurn();
    expect(ids(sent)).toEqual([["1", "2"], ["3"]]);
  });

  it("sends an answer of unknown or large size alone, after the ones before it", async () => {
    const sent: BatchedAnswer[][] = [];
    const batch = new AnswerBatch((answers) => sent.push(answers));
    batch.add(answer(1), 10);
    batch.add(answer(2));
    batch.add(answer(3), MAX_BATCHED_ANSWER_BYTES + 1);
    batch.add(answer(4), 10);
    await nextTurn();
    expect(ids(sent)).toEqual([["1"], ["2"], ["3"], ["4"]]);
  });

  it("starts a new message at the count and size bounds", async () => {
    const sent: BatchedAnswer[][] = [];
    const batch = new AnswerBatch((answers) => sent.push(answers));
    for (let i = 0; i < MAX_ANSWERS_PER_MESSAGE + 1; i += 1) batch.add(answer(i), 1);
    await nextTurn();
    expect(sent.map((m) => m.length)).toEqual([MAX_ANSWERS_PER_MESSAGE, 1]);

    sent.length = 0;
    const each = MAX_BATCHED_ANSWER_BYTES;
    const perMessage = Math.ceil(MAX_BATCH_BYTES / each);
    for (let i = 0; i < perMessage + 1; i += 1) batch.add(answer(i), each);
    await nextTurn();
    expect(sent.map((m) => m.length)).toEqual([perMessage, 1]);
  });

  it("flush() sends what is waiting at once, and nothing when nothing waits", () => {
    const sent: BatchedAnswer[][] = [];
    const batch = new AnswerBatch((answers) => sent.push(answers));
    batch.flush();
    batch.add(answer(1), 1);
    batch.flush();
    expect(ids(sent)).toEqual([["1"]]);
  });
});
