import type { ResultMessage } from "@toolmesh/core";
import { LRUCache } from "lru-cache";
import { randomFillSync } from "node:crypto";
import { checkHolder, type RejectReason } from "../workflow/attempt-tokens.js";

/**
 * A quiet call's attempt tokens: random, kept with the call in the one
 * coordinator instance that waits for its result. A workflow's tokens are
 * derived (an HMAC under the coordinators' shared secret) so that a
 * successor can check the attempts of a coordinator that died; a quiet call
 * dies with its coordinator, so nothing needs deriving, and the HMAC was a
 * tenth of a coordinator's CPU per quiet call in profiles.
 */

const TOKEN_BYTES = 16;
/** Random bytes drawn a page at a time: one randomFillSync per 256 tokens, not one per token. */
const pool = Buffer.alloc(TOKEN_BYTES * 256);
let used = pool.length;

/** 128 random bits, base64url. */
export function randomToken(): string {
  if (used + TOKEN_BYTES > pool.length) {
    randomFillSync(pool);
    used = 0;
  }
  const token = pool.toString("base64url", used, used + TOKEN_BYTES);
  used += TOKEN_BYTES;
  return token;
}

/** One call's tokens, one per attempt sent (index attempt − 1), and its pool. */
export interface AttemptsSent {
  pool: string;
  tokens: readonly string[];
}

/**
 * Whether `result` is from the holder of the attempt it names: undefined when
 * it is (current or earlier attempt), else why not.
 */
export function checkQuietResult(sent: AttemptsSent, taskId: string, result: ResultMessage): RejectReason | undefined {
  const { attempt } = result;
  if (result.taskId !== taskId || !Number.isInteger(attempt) || attempt < 1 || attempt > sent.tokens.length) return "unknown_attempt";
  return checkHolder(result, sent.pool, sent.tokens[attempt - 1]!);
}

/** Finished calls' tokens kept for late answers (their tasks must still be acked): about 1 MB at most. */
const FINISHED_KEPT = 8192;

/** The tokens of recently finished calls, the least recently used forgotten first. */
export class FinishedCalls {
  readonly #calls = new LRUCache<string, AttemptsSent>({ max: FINISHED_KEPT });

  add(id: string, sent: AttemptsSent): void {
    if (sent.tokens.length > 0) this.#calls.set(id, sent);
  }

  get(id: string): AttemptsSent | undefined {
    return this.#calls.get(id);
  }
}
