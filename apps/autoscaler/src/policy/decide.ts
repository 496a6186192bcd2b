import { replicasForBacklog } from "./backlog-math.js";
import { splitCap } from "./cap.js";
import { applyHealth, judgeHealth } from "./health.js";
import type { PoolLoad } from "./load.js";
import { Stabiliser } from "./stabiliser.js";

/**
 * The autoscaler's whole decision, pure: measurements in, replicas per pool
 * and a reason for each out. Keeps only what it must remember between
 * ticks: each pool's stabilisation window and last measured task duration.
 */
export interface PolicySettings {
  targetDrainS: number;
  scaleDownWindowMs: number;
  scaleDownStep: number;
  maxInstances: number;
  /** Assumed task duration before a pool has finished any task. */
  defaultTaskMs: number;
  bounds: ReadonlyMap<string, { min: number; max: number }>;
  /** Per-replica limit before any instance reported (the pool's minimum limit). */
  fallbackLimit: (pool: string) => number;
}

/** What the loop measured for one pool this tick. */
export interface PoolObservation {
  pool: string;
  /** Replicas the backend runs now. */
  current: number;
  load: PoolLoad;
  /** The consumer's state, or why it could not be read. */
  queue: { pending: number; ackPending: number } | { error: string; reason: string };
}

export type Direction = "up" | "down" | "hold";

export interface ScaleDecision {
  pool: string;
  previous: number;
  /** What the load called for before bounds, caps and stabilisation. */
  desired: number;
  replicas: number;
  direction: Direction;
  reason: string;
  /** Set when the pool could not be measured (missing stream or consumer). */
  error?: { reason: string; message: string };
}

export class ScalingPolicy {
  readonly #settings: PolicySettings;
  readonly #stabilisers = new Map<string, Stabiliser>();
  readonly #lastDurationMs = new Map<string, number>();

  constructor(settings: PolicySettings) {
    this.#settings = settings;
  }

  decide(observations: readonly PoolObservation[], nowMs: number): ScaleDecision[] {
    const wanted = observations.map((o) => ({ observation: o, ...this.#decidePool(o, nowMs) }));
    const capped = splitCap(
      wanted.map((w) => ({ pool: w.observation.pool, want: w.replicas, min: this.#bounds(w.observation.pool).min })),
      this.#settings.maxInstances,
    );
    return wanted.map(({ observation, desired, replicas, reasons, error }) => {
      const allowed = capped.get(observation.pool) ?? replicas;
      if (allowed < replicas) reasons.push(`cap of ${this.#settings.maxInstances} instances split by share allows ${allowed}`);
      const final = Math.min(replicas, allowed);
      const direction: Direction = final > observation.current ? "up" : final < observation.current ? "down" : "hold";
      return {
        pool: observation.pool,
        previous: observation.current,
        desired,
        replicas: final,
        direction,
        reason: `${direction} ${observation.current}→${final}: ${reasons.join("; ")}`,
        ...(error ? { error } : {}),
      };
    });
  }

  /** The pool's own answer before the cross-pool cap. */
  #decidePool(o: PoolObservation, nowMs: number): { desired: number; replicas: number; reasons: string[]; error?: ScaleDecision["error"] } {
    const { min, max } = this.#bounds(o.pool);
    const clamp = (n: number): number => Math.min(max, Math.max(min, n));
    if ("error" in o.queue) {
      // Not measured is not busy: hold what runs (within bounds: min is configuration, and workers create the consumer).
      const replicas = clamp(o.current);
      return {
        desired: replicas,
        replicas,
        reasons: [`queue not readable (${o.queue.reason}: ${o.queue.error}); holding within ${min}..${max}`],
        error: { reason: o.queue.reason, message: o.queue.error },
      };
    }
    if (o.load.durationMs !== undefined) this.#lastDurationMs.set(o.pool, o.load.durationMs);
    const durationMs = o.load.durationMs ?? this.#lastDurationMs.get(o.pool) ?? this.#settings.defaultTaskMs;
    const load = replicasForBacklog({
      pending: o.queue.pending,
      ackPending: o.queue.ackPending,
      inFlight: o.load.inFlight,
      durationMs,
      targetDrainS: this.#settings.targetDrainS,
      perReplicaLimit: o.load.meanLimit ?? this.#settings.fallbackLimit(o.pool),
    });
    const reasons = [load.reason];
    if (o.load.durationMs === undefined) reasons.push(`duration ${durationMs} ms assumed (no task finished this tick)`);
    const work = { backlog: o.queue.pending + o.queue.ackPending, inFlight: o.load.inFlight };
    const health = applyHealth(load.replicas, o.current, judgeHealth(o.load), work);
    if (health.note) reasons.push(health.note);
    const bounded = clamp(health.replicas);
    if (bounded !== health.replicas) reasons.push(`bounded to ${min}..${max}`);
    const stable = this.#stabiliser(o.pool).next(bounded, o.current, nowMs);
    if (stable.note) reasons.push(stable.note);
    return { desired: load.replicas, replicas: clamp(stable.replicas), reasons };
  }

  #bounds(pool: string): { min: number; max: number } {
    return this.#settings.bounds.get(pool) ?? { min: 1, max: 1 };
  }

  #stabiliser(pool: string): Stabiliser {
    let stabiliser = this.#stabilisers.get(pool);
    if (!stabiliser) {
      stabiliser = new Stabiliser({ windowMs: this.#settings.scaleDownWindowMs, step: this.#settings.scaleDownStep });
      this.#stabilisers.set(pool, stabiliser);
    }
    return stabiliser;
  }
}
