import type { Logger } from "@toolmesh/core";
import type { Clock, TimerHandle } from "../workflow/clock.js";

/** A stored version of a key, as the KV bucket returns it. */
export interface LeaseEntry {
  operation: "PUT" | "DEL" | "PURGE";
  value: Uint8Array;
  revision: number;
}

/** A key's version as a watch delivers it: `isUpdate` false while the current values are still being replayed. */
export interface LeaseWatchEntry extends LeaseEntry {
  key: string;
  isUpdate: boolean;
}

/** A running watch (a NATS KV watch is one): its entries in revision order; ends when the server drops it. */
export interface LeaseWatch extends AsyncIterable<LeaseWatchEntry> {
  stop(): void;
}

export type OpenWatch = (key: string) => Promise<LeaseWatch>;

/** How long to wait before opening a watch again after it ended or could not be opened. */
const REOPEN_MS = 500;

/**
 * Keys under one filter (`member.*`, `partition.*`) kept in memory from a KV
 * watch, instead of reading every key each round. One filter per watch:
 * nats-server 2.9 has no multi-filter consumers. A watch replays each key's
 * last value in revision order and then delivers every change, so once the
 * replay is over and the view has seen a revision, it holds every key under
 * its filter as of that revision. While the replay runs a key written late may
 * be missing (only its last value is kept), so the view counts as complete
 * only after it. When the watch ends (a server restart) it is opened again
 * from scratch; the view is incomplete until the new replay is over.
 */
export class LeaseView {
  readonly #open: OpenWatch;
  readonly #key: string;
  readonly #clock: Clock;
  readonly #log: Logger;
  #entries = new Map<string, LeaseEntry>();
  #revision = 0;
  #complete = false;
  #watch?: LeaseWatch;
  #timer?: TimerHandle;
  #stopped = false;
  #waiters: Array<{ revision: number; done: (reached: boolean) => void }> = [];

  constructor(open: OpenWatch, key: string, clock: Clock, log: Logger) {
    this.#open = open;
    this.#key = key;
    this.#clock = clock;
    this.#log = log;
  }

  /** Opens the watch; resolves once it is open (or its first attempt failed: it is retried). */
  async start(): Promise<void> {
    await this.#connect();
  }

  stop(): void {
    this.#stopped = true;
    this.#clock.clearTimeout(this.#timer);
    this.#watch?.stop();
    this.#watch = undefined;
    this.#release();
  }

  /** The last version of a key seen, deleted ones included (null: none). */
  get(key: string): LeaseEntry | null {
    return this.#entries.get(key) ?? null;
  }

  /** Live (PUT) entries under a prefix such as `member.`. */
  entries(prefix: string): Array<[string, LeaseEntry]> {
    return [...this.#entries].filter(([key, entry]) => key.startsWith(prefix) && entry.operation === "PUT");
  }

  /** True when the replay is over and the view has seen `revision` (every key as of then is in it). */
  current(revision: number): boolean {
    return this.#complete && this.#revision >= revision;
  }

  /** Waits until current(revision), at most `timeoutMs`; resolves whether it got there. */
  async reach(revision: number, timeoutMs: number): Promise<boolean> {
    if (this.current(revision)) return true;
    if (this.#stopped) return false;
    return new Promise<boolean>((resolve) => {
      const timer = this.#clock.setTimeout(() => finish(false), timeoutMs);
      const finish = (reached: boolean): void => {
        this.#clock.clearTimeout(timer);
        this.#waiters = this.#waiters.filter((w) => w.done !== finish);
        resolve(reached);
      };
      this.#waiters.push({ revision, done: finish });
    });
  }

  async #connect(): Promise<void> {
    if (this.#stopped) return;
    let watch: LeaseWatch;
    try {
      watch = await this.#open(this.#key);
    } catch (err) {
      this.#log.warn({ err, key: this.#key }, "could not watch the partition leases; retrying");
      this.#reopenLater();
      return;
    }
    if (this.#stopped) {
      watch.stop();
      return;
    }
    this.#watch = watch;
    this.#entries = new Map();
    this.#revision = 0;
    this.#complete = false;
    void this.#consume(watch);
  }

  async #consume(watch: LeaseWatch): Promise<void> {
    try {
      for await (const entry of watch) {
        this.#entries.set(entry.key, { operation: entry.operation, value: entry.value, revision: entry.revision });
        this.#revision = Math.max(this.#revision, entry.revision);
        if (entry.isUpdate) this.#complete = true;
        this.#release();
      }
    } catch (err) {
      this.#log.warn({ err, key: this.#key }, "the partition leases' watch failed");
    }
    if (this.#stopped || this.#watch !== watch) return;
    // Until a new watch has replayed the keys the view may miss some: rounds treat it as unreadable.
    this.#complete = false;
    this.#watch = undefined;
    this.#log.warn({ key: this.#key }, "the partition leases' watch ended; opening it again");
    this.#reopenLater();
  }

  #reopenLater(): void {
    if (this.#stopped) return;
    this.#timer = this.#clock.setTimeout(() => void this.#connect(), REOPEN_MS);
  }

  /** Resolves the waiters the view has now caught up with (all of them, as not reached, once stopped). */
  #release(): void {
    for (const waiter of [...this.#waiters]) if (this.#stopped || this.current(waiter.revision)) waiter.done(!this.#stopped);
  }
}
