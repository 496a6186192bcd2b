import { JetStreamApiCodes, JetStreamApiError } from "@nats-io/jetstream";

export interface MemoryEntry {
  key: string;
  operation: "PUT" | "DEL" | "PURGE";
  value: Uint8Array;
  revision: number;
}

/** The error a NATS KV compare-and-set write fails with when the key moved on (what the real bucket throws). */
export function wrongLastSequence(): JetStreamApiError {
  return new JetStreamApiError({ code: 400, err_code: JetStreamApiCodes.StreamWrongLastSequence, description: "wrong last sequence" });
}

export interface MemoryWatchEntry extends MemoryEntry {
  isUpdate: boolean;
}

/** A KV watch in memory: entries queued in revision order, delivered asynchronously; ended by stop() or the bucket. */
class MemoryWatch implements AsyncIterable<MemoryWatchEntry> {
  readonly filters: string[];
  readonly #queue: MemoryWatchEntry[] = [];
  #wake?: () => void;
  ended = false;

  constructor(filters: string[]) {
    this.filters = filters;
  }

  matches(key: string): boolean {
    return this.filters.some((f) => subjectMatches(f, key));
  }

  push(entry: MemoryWatchEntry): void {
    if (this.ended) return;
    this.#queue.push(entry);
    this.#wake?.();
  }

  stop(): void {
    this.ended = true;
    this.#wake?.();
  }

  async *[Symbol.asyncIterator](): AsyncIterator<MemoryWatchEntry> {
    for (;;) {
      const next = this.#queue.shift();
      if (next) yield next;
      else if (this.ended) return;
      else await new Promise<void>((resolve) => (this.#wake = resolve));
    }
  }
}

/**
 * A NATS KV bucket in memory, with the semantics the coordinator relies on:
 * revisions are one sequence over the bucket; create succeeds on a missing or
 * deleted key; update and delete with a previous revision are compare-and-set;
 * a delete leaves a DEL marker that get returns; keys() lists live keys
 * matching a subject filter ("*" one token, ">" the rest); watch() replays
 * the last value of each matching key in revision order (isUpdate set on the
 * last one), then delivers every change, until stopped or endWatches().
 */
export class MemoryKv {
  readonly #entries = new Map<string, MemoryEntry>();
  #sequence = 0;
  /** Runs before each write: a test's chance to let "another replica" write first. */
  beforeWrite?: (key: string) => void;
  /** The next get (or write) rejects with this, once. */
  failNextGet?: Error;
  failNextWrite?: Error;
  writes = 0;
  /** The next watch() rejects with this, once. */
  failNextWatch?: Error;
  /** While set, changes are not delivered to watches (a watch that lags). */
  holdWatches = false;
  readonly #watches = new Set<MemoryWatch>();
  readonly #held: MemoryEntry[] = [];

  async get(key: string): Promise<MemoryEntry | null> {
    await Promise.resolve();
    const failure = this.failNextGet;
    if (failure) {
      this.failNextGet = undefined;
      throw failure;
    }
    const entry = this.#entries.get(key);
    return entry ? { ...entry } : null;
  }

  async create(key: string, value: Uint8Array): Promise<number> {
    return this.#write(key, value, (last) => !last || last.operation !== "PUT");
  }

  async update(key: string, value: Uint8Array, revision: number): Promise<number> {
    return this.#write(key, value, (last) => last?.revision === revision);
  }

  async put(key: string, value: Uint8Array): Promise<number> {
    return this.#write(key, value, () => true);
  }

  async delete(key: string, options: { previousSeq?: number } = {}): Promise<void> {
    await this.#write(key, new Uint8Array(), (last) => options.previousSeq === undefined || last?.revision === options.previousSeq, "DEL");
  }

  async keys(filter = ">"): Promise<AsyncIterable<string>> {
    await Promise.resolve();
    const live = [...this.#entries.values()].filter((e) => e.operation === "PUT" && subjectMatches(filter, e.key)).map((e) => e.key);
    return (async function* () {
      yield* live;
    })();
  }

  async watch(options: { key: string | string[] }): Promise<MemoryWatch> {
    await Promise.resolve();
    const failure = this.failNextWatch;
    if (failure) {
      this.failNextWatch = undefined;
      throw failure;
    }
    const watch = new MemoryWatch(typeof options.key === "string" ? [options.key] : options.key);
    const replay = [...this.#entries.values()].filter((e) => watch.matches(e.key)).sort((a, b) => a.revision - b.revision);
    replay.forEach((e, i) => watch.push({ ...e, isUpdate: i === replay.length - 1 }));
    this.#watches.add(watch);
    return watch;
  }

  /** Ends every open watch, as a server restart does. */
  endWatches(): void {
    for (const watch of this.#watches) watch.stop();
    this.#watches.clear();
  }

  /** Watches open now. */
  get watching(): number {
    return [...this.#watches].filter((w) => !w.ended).length;
  }

  /** Delivers the changes held back while holdWatches was set. */
  releaseWatches(): void {
    this.holdWatches = false;
    for (const entry of this.#held.splice(0)) this.#notify(entry);
  }

  #notify(entry: MemoryEntry): void {
    if (this.holdWatches) {
      this.#held.push(entry);
      return;
    }
    for (const watch of this.#watches) if (watch.matches(entry.key)) watch.push({ ...entry, isUpdate: true });
  }

  /** Writes without any check, as another process would (no hooks, no failures). */
  set(key: string, value: Uint8Array): number {
    this.#sequence += 1;
    this.#entries.set(key, { key, operation: "PUT", value, revision: this.#sequence });
    this.#notify(this.#entries.get(key)!);
    return this.#sequence;
  }

  peek(key: string): MemoryEntry | undefined {
    return this.#entries.get(key);
  }

  liveKeys(): string[] {
    return [...this.#entries.values()].filter((e) => e.operation === "PUT").map((e) => e.key);
  }

  async #write(
    key: string,
    value: Uint8Array,
    allowed: (last: MemoryEntry | undefined) => boolean,
    operation: MemoryEntry["operation"] = "PUT",
  ): Promise<number> {
    await Promise.resolve();
    this.beforeWrite?.(key);
    const failure = this.failNextWrite;
    if (failure) {
      this.failNextWrite = undefined;
      throw failure;
    }
    if (!allowed(this.#entries.get(key))) throw wrongLastSequence();
    this.#sequence += 1;
    this.#entries.set(key, { key, operation, value, revision: this.#sequence });
    this.#notify(this.#entries.get(key)!);
    this.writes += 1;
    return this.#sequence;
  }
}

function subjectMatches(filter: string, key: string): boolean {
  const want = filter.split(".");
  const have = key.split(".");
  for (let i = 0; i < want.length; i++) {
    if (want[i] === ">") return have.length > i;
    if (i >= have.length || (want[i] !== "*" && want[i] !== have[i])) return false;
  }
  return want.length === have.length;
}
