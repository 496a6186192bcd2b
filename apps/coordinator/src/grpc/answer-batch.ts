import type { BatchedAnswer } from "@toolmesh/proto";

/** Answers in one response message at most. */
export const MAX_ANSWERS_PER_MESSAGE = 256;
/**
 * A response message stops growing at about this size: well under a
 * client's default 4 MiB receive limit, and small enough not to hold the
 * stream's other answers behind one large write.
 */
export const MAX_BATCH_BYTES = 512 * 1024;
/** An answer larger than this (or of unknown size) goes in a message of its own. */
export const MAX_BATCHED_ANSWER_BYTES = 64 * 1024;

/**
 * The answers of one stream ready in the same turn of the event loop, sent
 * as one message once the turn's callbacks have run (gRPC costs per message
 * about what the rest of a quiet call costs), bounded in count and size.
 */
export class AnswerBatch {
  #answers: BatchedAnswer[] = [];
  #bytes = 0;
  readonly #write: (answers: BatchedAnswer[]) => void;

  constructor(write: (answers: BatchedAnswer[]) => void) {
    this.#write = write;
  }

  /** `bytes`: about the answer's encoded size; unknown or large ones go alone. */
  add(answer: BatchedAnswer, bytes = Number.POSITIVE_INFINITY): void {
    if (bytes > MAX_BATCHED_ANSWER_BYTES) {
      this.flush();
      this.#write([answer]);
      return;
    }
    if (this.#answers.length === 0) process.nextTick(() => this.flush());
    this.#answers.push(answer);
    this.#bytes += bytes;
    if (this.#answers.length >= MAX_ANSWERS_PER_MESSAGE || this.#bytes >= MAX_BATCH_BYTES) this.flush();
  }

  flush(): void {
    if (this.#answers.length === 0) return;
    const answers = this.#answers;
    this.#answers = [];
    this.#bytes = 0;
    this.#write(answers);
  }
}
