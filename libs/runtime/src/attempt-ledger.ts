import { JetStreamApiCodes } from "@nats-io/jetstream";
import type { KV } from "@nats-io/kv";
import type { NatsConnection } from "@nats-io/transport-node";
import {
  attemptKey,
  decodeJson,
  encodeJson,
  isJetStreamApiError,
  isMcpPool,
  openAttemptsBucket,
  type Logger,
  type ResultMessage,
  type TaskMessage,
} from "@toolmesh/core";
import { getTool } from "@toolmesh/tools";
import { setTimeout as sleep } from "node:timers/promises";

/** One attempt in TM_ATTEMPTS: who began it, and once finished the result it published. */
interface LedgerEntry {
  state: "started" | "completed";
  instance: string;
  atMs: number;
  result?: ResultMessage;
}

/** What to do with a delivered attempt. */
export type Claim =
  /** Run it: this instance holds the attempt at `revision`. */
  | { kind: "run"; revision: number }
  /** It finished before: publish this result again (same message id) and ack. */
  | { kind: "replay"; result: ResultMessage }
  /** It began on `instance` and its outcome was lost; running it again could repeat its side effects. */
  | { kind: "unknown"; instance: string; startedAtMs: number; revision: number }
  /** It runs on `instance`, which showed it is alive within the ack wait: look again after `retryInMs` (nak with that delay). */
  | { kind: "held"; instance: string; retryInMs: number }
  /** This instance is running it right now (a redelivery overtook it): leave the copy alone. */
  | { kind: "busy" };

type Local = { state: "claiming" } | { state: "running"; revision: number; tool: string } | { state: "done"; result: ResultMessage };

/** The revision of a claim kept only in this process (a read-only tool's). */
const IN_PROCESS = 0;

/** Attempts this process remembers (a bounded map; the ledger itself is the durable record). */
const LOCAL_ATTEMPTS = 10_000;

/**
 * Changes things outside itself, so running it twice is not the same as once:
 * the catalog's destructive tools (bash.exec, agent.run), an MCP tool not
 * marked read-only (its `shareable` is readOnlyHint), and a tool this worker
 * does not know.
 */
export function hasSideEffects(tool: string): boolean {
  const spec = getTool(tool);
  if (!spec) return true;
  return spec.destructive === true || (isMcpPool(spec.pool) && !spec.shareable);
}

function isWrongLastSequence(err: unknown): boolean {
  return isJetStreamApiError(err, JetStreamApiCodes.StreamWrongLastSequence, JetStreamApiCodes.StreamWrongLastSequenceUnknown);
}

/**
 * The attempt ledger (JetStream KV `TM_ATTEMPTS`): a worker creates a
 * side-effecting attempt's key before it runs it and stores the result there
 * before it publishes it, so a redelivered attempt (its ack lost in a
 * nats-server crash, its worker dead) is never run twice by accident: a
 * finished one is answered from the ledger, one whose outcome was lost is
 * reported as such. Every change is a compare-and-set on the key's revision.
 * Calls retry until the server answers: no such attempt runs without its key.
 * Read-only attempts are remembered in this process only.
 *
 * An in-process map covers what the ledger cannot know: a create whose reply
 * was lost (the key then says "started" by this instance, which never ran
 * it) and a redelivery that reaches this instance while it still runs the
 * attempt.
 */
export class AttemptLedger {
  readonly #nc: NatsConnection;
  readonly #pool: string;
  readonly #instance: string;
  readonly #log: Logger;
  readonly #local = new Map<string, Local>();
  readonly #holderGraceMs: number;
  /** When this instance last came back from a lost connection (0: never). */
  #reconnectedAtMs = 0;
  #kv?: Promise<KV>;

  /** `holderGraceMs`: how recently a holder must have written its key to count as alive (the consumer's ack wait). */
  constructor(nc: NatsConnection, pool: string, instance: string, log: Logger, holderGraceMs: number) {
    this.#nc = nc;
    this.#pool = pool;
    this.#instance = instance;
    this.#log = log;
    this.#holderGraceMs = holderGraceMs;
    void this.#touchOnReconnect();
  }

  /**
   * claim() when this process can decide alone (a read-only tool, or an
   * attempt it already holds): the claim without a promise, else undefined.
   */
  claimHere(task: TaskMessage): Claim | undefined {
    const key = this.#key(task);
    const local = this.#local.get(key);
    if (local?.state === "done") return { kind: "replay", result: local.result };
    if (local?.state === "running" || local?.state === "claiming") return { kind: "busy" };
    if (hasSideEffects(task.tool)) return undefined;
    // Running a read-only attempt again changes nothing and its result keeps its message id (the
    // results stream drops the copy): two KV writes per call are not worth it on the hot path.
    this.#remember(key, { state: "running", revision: IN_PROCESS, tool: task.tool });
    return { kind: "run", revision: IN_PROCESS };
  }

  /**
   * Decides what to do with a delivered attempt, recording the claim when it
   * is to run. `lastDelivery`: the consumer will not deliver it again, so
   * "held" is not an answer.
   */
  async claim(task: TaskMessage, lastDelivery = false): Promise<Claim> {
    const now = this.claimHere(task);
    if (now) return now;
    const key = this.#key(task);
    this.#remember(key, { state: "claiming" });
    const started = (): Uint8Array => encodeJson({ state: "started", instance: this.#instance, atMs: Date.now() } satisfies LedgerEntry);
    return this.#untilAnswered("claim", async (kv) => {
      try {
        const revision = await kv.create(key, started());
        this.#remember(key, { state: "running", revision, tool: task.tool });
        return { kind: "run", revision };
      } catch (err) {
        if (!isWrongLastSequence(err)) throw err;
      }
      const entry = await kv.get(key);
      if (!entry || entry.operation !== "PUT") return undefined;
      const value = decodeJson<LedgerEntry>(entry.value);
      if (value.state === "completed" && value.result) {
        this.#remember(key, { state: "done", result: value.result });
        return { kind: "replay", result: value.result };
      }
      // Our own create, whose reply was lost: this instance has not run it.
      const mine = value.instance === this.#instance && this.#local.get(key)?.state === "claiming";
      if (!mine && hasSideEffects(task.tool)) {
        this.#local.delete(key);
        // A server restart can redeliver an attempt whose holder is alive and about to record it (the
        // consumer's delivery state is not what survives a kill -9): a holder that wrote its key within
        // the ack wait, or any holder just after this instance itself lost the server, gets an ack wait.
        const waitMs = Math.max(value.atMs, this.#reconnectedAtMs) + this.#holderGraceMs - Date.now();
        if (!lastDelivery && waitMs > 0) return { kind: "held", instance: value.instance, retryInMs: waitMs };
        return { kind: "unknown", instance: value.instance, startedAtMs: value.atMs, revision: entry.revision };
      }
      // A read-only tool: running it again is harmless; take the key over.
      const revision = mine
        ? entry.revision
        : await kv.update(key, started(), entry.revision).catch((err: unknown) => {
            if (isWrongLastSequence(err)) return undefined;
            throw err;
          });
      if (revision === undefined) return undefined;
      this.#remember(key, { state: "running", revision, tool: task.tool });
      return { kind: "run", revision };
    });
  }

  /**
   * complete() for an attempt claimed in this process only (a read-only
   * tool's): `result`, at once. Not kept once finished: a copy delivered
   * later runs again (harmless), and 10,000 finished results (outputs up to
   * 256 KiB each) are what grew a busy worker's heap. Undefined when the
   * claim is in the ledger.
   */
  completeHere(task: TaskMessage, revision: number, result: ResultMessage): ResultMessage | undefined {
    if (revision !== IN_PROCESS) return undefined;
    const key = this.#key(task);
    const local = this.#local.get(key);
    if (local?.state === "running" && local.revision !== IN_PROCESS) return undefined;
    this.#local.delete(key);
    return result;
  }

  /**
   * Records the attempt's result (compare-and-set on the claim's revision)
   * and returns the result to publish: `result`, or the one already
   * recorded when another instance settled the attempt first (the ledger
   * decides, so an attempt has one result however many publish it).
   */
  async complete(task: TaskMessage, revision: number, result: ResultMessage): Promise<ResultMessage> {
    const key = this.#key(task);
    const local = this.#local.get(key);
    // A touch after a reconnect moved the revision on.
    if (local?.state === "running") revision = local.revision;
    if (revision === IN_PROCESS) {
      this.#local.delete(key);
      return result;
    }
    // Remembered first: a redelivery here replays it even while the write below is in doubt.
    this.#remember(key, { state: "done", result });
    const value = encodeJson({ state: "completed", instance: this.#instance, atMs: Date.now(), result } satisfies LedgerEntry);
    let expected = revision;
    return this.#untilAnswered("complete", async (kv) => {
      try {
        await kv.update(key, value, expected);
        return result;
      } catch (err) {
        if (!isWrongLastSequence(err)) throw err;
      }
      const entry = await kv.get(key);
      if (entry?.operation === "PUT") {
        const stored = decodeJson<LedgerEntry>(entry.value);
        if (stored.state === "completed" && stored.result) {
          this.#remember(key, { state: "done", result: stored.result });
          return stored.result;
        }
        // Another instance re-ran a read-only attempt and has not finished: ours is as good.
        expected = entry.revision;
        return undefined;
      }
      // The key expired or was removed: write it afresh.
      await kv.create(key, value).catch((err: unknown) => {
        if (!isWrongLastSequence(err)) throw err;
      });
      return undefined;
    });
  }

  /** Forgets a claim that will not run (a task dropped before its handler). */
  release(task: TaskMessage): void {
    const key = this.#key(task);
    if (this.#local.get(key)?.state !== "done") this.#local.delete(key);
  }

  /**
   * After a reconnect (a server restart) the keys of attempts this instance
   * is running are written again with the time, so an instance that gets
   * one of them redelivered sees a live holder and waits instead of calling
   * its outcome lost.
   */
  async #touchOnReconnect(): Promise<void> {
    for await (const status of this.#nc.status()) {
      if (status.type !== "reconnect") continue;
      this.#reconnectedAtMs = Date.now();
      for (const [key, local] of this.#local) {
        if (local.state !== "running" || local.revision === IN_PROCESS) continue;
        // Retried until the server's JetStream is back (a reconnect comes before it is ready).
        void this.#untilAnswered("touch", async (kv) => {
          const now = this.#local.get(key);
          if (now?.state !== "running") return true;
          const value = encodeJson({ state: "started", instance: this.#instance, atMs: Date.now() } satisfies LedgerEntry);
          now.revision = await kv.update(key, value, now.revision).catch((err: unknown) => {
            if (isWrongLastSequence(err)) return now.revision;
            throw err;
          });
          return true;
        });
      }
    }
  }

  #key(task: TaskMessage): string {
    return attemptKey(this.#pool, task.workflowId, task.taskId, task.attempt);
  }

  #remember(key: string, local: Local): void {
    this.#local.delete(key);
    this.#local.set(key, local);
    if (this.#local.size <= LOCAL_ATTEMPTS) return;
    // Oldest first; an attempt still in hand is never forgotten.
    for (const [old, entry] of this.#local) {
      if (this.#local.size <= LOCAL_ATTEMPTS) break;
      if (entry.state === "done") this.#local.delete(old);
    }
  }

  /** Runs `step` until it returns a value, backing off while the server does not answer (a restart). */
  async #untilAnswered<T>(what: string, step: (kv: KV) => Promise<T | undefined>): Promise<T> {
    let delay = 100;
    let warned = false;
    for (;;) {
      try {
        const answer = await step(await this.#bucket());
        if (answer !== undefined) return answer;
        delay = 100;
      } catch (err) {
        if (!warned) this.#log.warn({ err, what }, "attempt ledger not answering; retrying");
        warned = true;
        await sleep(delay);
        delay = Math.min(delay * 2, 1000);
      }
    }
  }

  #bucket(): Promise<KV> {
    this.#kv ??= openAttemptsBucket(this.#nc).catch((err: unknown) => {
      this.#kv = undefined;
      throw err;
    });
    return this.#kv;
  }
}
