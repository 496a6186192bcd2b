import type { PoolRow, PoolWatch } from "@toolmesh/observe";
import type { PoolSample, PoolsView } from "./api-types.js";

export interface PoolHistoryOptions {
  /** How often the pools are sampled. */
  intervalMs: number;
  /** How far back the charts reach. */
  keepMs: number;
}

/**
 * The pools page's data: the rows `toolmesh top` prints (from the same
 * PoolWatch), sampled every interval into a short history per pool for the
 * charts, plus the limit and replica changes with their reasons.
 */
export class PoolHistory {
  readonly #watch: PoolWatch;
  readonly #options: PoolHistoryOptions;
  readonly #history = new Map<string, PoolSample[]>();
  #rows: PoolRow[] = [];
  #timer?: NodeJS.Timeout;
  #sampling?: Promise<void>;

  constructor(watch: PoolWatch, options: PoolHistoryOptions) {
    this.#watch = watch;
    this.#options = options;
  }

  /** Starts sampling (idempotent): the first page that asks starts the history. */
  start(): void {
    if (this.#timer) return;
    this.#timer = setInterval(() => void this.sample(), this.#options.intervalMs).unref();
    void this.sample();
  }

  /** One sample now (a sample already under way is waited for instead). */
  sample(): Promise<void> {
    this.#sampling ??= this.#take().finally(() => (this.#sampling = undefined));
    return this.#sampling;
  }

  async #take(): Promise<void> {
    let rows: PoolRow[];
    try {
      rows = await this.#watch.rows();
    } catch {
      return; // NATS away for a moment: the next interval tries again.
    }
    const now = Date.now();
    this.#rows = rows;
    for (const r of rows) {
      const samples = this.#history.get(r.pool) ?? [];
      samples.push({
        timeMs: now,
        throughput: r.throughput,
        p50Ms: r.p50Ms,
        p99Ms: r.p99Ms,
        inFlight: r.inFlight,
        limit: r.limit,
        queue: r.queue ?? 0,
        errorRate: r.errorRate,
        replicas: r.replicas,
      });
      while (samples.length > 0 && samples[0]!.timeMs < now - this.#options.keepMs) samples.shift();
      this.#history.set(r.pool, samples);
    }
  }

  view(): PoolsView {
    return {
      available: true,
      timeMs: Date.now(),
      rows: this.#rows.map((r) => ({ ...r, queue: r.queue ?? null })),
      history: Object.fromEntries(this.#history),
      changes: this.#watch.changes().map((e) =>
        e.kind === "pool.limit"
          ? {
              timeMs: e.timeMs,
              pool: e.pool,
              kind: "limit" as const,
              from: e.previousLimit,
              to: e.limit,
              reason: e.reason,
              who: e.instanceId,
            }
          : {
              timeMs: e.timeMs,
              pool: e.pool,
              kind: "replicas" as const,
              from: e.previousReplicas,
              to: e.replicas,
              reason: e.reason,
              who: e.backend,
            },
      ),
    };
  }

  stop(): void {
    clearInterval(this.#timer);
    this.#timer = undefined;
  }
}
