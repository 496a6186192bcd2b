import { JetStreamApiCodes } from "@nats-io/jetstream";
import type { KV } from "@nats-io/kv";
import { LRUCache } from "lru-cache";
import { decodeJson, encodeJson, isJetStreamApiError, runsInCoordinator, type Logger, type ResultMessage } from "@toolmesh/core";
import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";
import type { CoordinatorMetrics } from "../coordinator-metrics.js";
import type { WorkflowRun } from "./run.js";

/** The key of the coordinators' shared secret in TM_WORKFLOWS (readable by the coordinator role only). */
const SECRET_KEY = "attempt-secret";
/** Derived values kept for their second use (about 1.5 MB at most). */
const RECENT_TOKENS = 8192;
/** TM_WORKFLOWS forgets keys a day after their last write: the secret is written again well before. */
const REFRESH_MS = 60 * 60 * 1000;

/** Why a result was not accepted as the attempt holder's (toolmesh_results_rejected_total{reason}). */
export type RejectReason = "unknown_attempt" | "wrong_pool" | "missing_token" | "bad_token";

/**
 * Attempt tokens: every dispatched attempt carries a token only the
 * coordinators and the pool's workers (the only readers of the pool's queue)
 * see; a result counts only when it echoes it and the pool.
 *
 * The token is an HMAC of (pool, workflow, task, attempt) under a secret all
 * coordinator replicas share, not a random value kept in the task record: a
 * coordinator that dies between publishing an attempt and storing its state
 * would leave its successor without the token (the successor then sends the
 * same attempt again, JetStream drops the copy as a duplicate, and the real
 * result would be refused). Derived tokens are the same on every replica and
 * on every resend, and nothing per attempt needs storing.
 */
export class AttemptTokens {
  readonly #secret: Buffer;
  readonly #timer: NodeJS.Timeout;
  /** Recently derived values: an attempt's token is derived when it is published and again when its result is checked. */
  readonly #recent = new LRUCache<string, string>({ max: RECENT_TOKENS });

  private constructor(secret: Buffer, kv: KV, log: Logger) {
    this.#secret = secret;
    this.#timer = setInterval(() => {
      kv.put(SECRET_KEY, encodeJson({ secret: secret.toString("base64url") })).catch((err: unknown) =>
        log.warn({ err }, "could not refresh the attempt secret"),
      );
    }, REFRESH_MS);
    this.#timer.unref();
  }

  /** The stack's secret from the store, made by whichever replica comes first. */
  static async open(kv: KV, log: Logger): Promise<AttemptTokens> {
    for (;;) {
      const entry = await kv.get(SECRET_KEY);
      if (entry?.operation === "PUT") {
        const secret = Buffer.from(decodeJson<{ secret: string }>(entry.value).secret, "base64url");
        // Written again at once: its 24 h expiry counts from now.
        await kv.update(SECRET_KEY, entry.value, entry.revision).catch(() => undefined);
        return new AttemptTokens(secret, kv, log);
      }
      const secret = randomBytes(32);
      try {
        await kv.create(SECRET_KEY, encodeJson({ secret: secret.toString("base64url") }));
        return new AttemptTokens(secret, kv, log);
      } catch (err) {
        // Another replica made it first: read theirs. Any other failure is not ours to spin on.
        if (!isJetStreamApiError(err, JetStreamApiCodes.StreamWrongLastSequence, JetStreamApiCodes.StreamWrongLastSequenceUnknown))
          throw err;
      }
    }
  }

  close(): void {
    clearInterval(this.#timer);
  }

  /** The token of one attempt on one pool. */
  token(pool: string, workflowId: string, taskId: string, attempt: number): string {
    return this.#derive(`attempt\n${pool}\n${workflowId}\n${taskId}\n${attempt}`);
  }

  /** agent.run's capability for one attempt (what a child's ParentRef must carry): the same on a resend and on a successor. */
  capability(workflowId: string, taskId: string, attempt: number): string {
    return this.#derive(`capability\n${workflowId}\n${taskId}\n${attempt}`);
  }

  /**
   * Whether `result` may be applied as coming from the holder of the
   * attempt it names: undefined when it may (or when it is a late result of
   * an attempt already superseded, which the run ignores anyway), else why
   * not. A coordinator-run task (synthesis, a fan-out, a shared call) was
   * never dispatched, so no result from outside can be its.
   */
  check(run: WorkflowRun, result: ResultMessage): RejectReason | undefined {
    const task = run.tasks.get(result.taskId);
    if (!task || runsInCoordinator(task.spec.pool) || task.items || task.sharedFrom) return "unknown_attempt";
    const { attempt } = task;
    if (!Number.isInteger(result.attempt) || result.attempt < 1 || result.attempt > attempt) return "unknown_attempt";
    if (result.attempt < attempt) return undefined;
    return checkHolder(result, task.spec.pool, this.token(task.spec.pool, run.id, task.spec.id, attempt));
  }

  #derive(message: string): string {
    const known = this.#recent.get(message);
    if (known !== undefined) return known;
    const value = createHmac("sha256", this.#secret).update(message).digest("base64url");
    // Enough for the attempts in flight, never unbounded.
    this.#recent.set(message, value);
    return value;
  }
}

/**
 * Why `result`, answering an attempt sent to `pool` with the token `want`,
 * is not from that attempt's holder; undefined when it is. Tokens are
 * compared in constant time.
 */
export function checkHolder(result: ResultMessage, pool: string, want: string): RejectReason | undefined {
  if (result.pool !== pool) return "wrong_pool";
  if (typeof result.attemptToken !== "string" || result.attemptToken.length === 0) return "missing_token";
  const wanted = Buffer.from(want);
  const got = Buffer.from(result.attemptToken);
  return wanted.length === got.length && timingSafeEqual(wanted, got) ? undefined : "bad_token";
}

/** Drops a result that is not the attempt holder's: a warning naming the attempt (never a token) and the metric. */
export function rejectResult(deps: { log: Logger; metrics: CoordinatorMetrics }, result: ResultMessage, reason: RejectReason): void {
  deps.metrics.resultsRejected.inc({ reason });
  deps.log.warn(
    { workflowId: result.workflowId, taskId: result.taskId, attempt: result.attempt, pool: result.pool, worker: result.worker, reason },
    "result dropped: not from the holder of the attempt",
  );
}
