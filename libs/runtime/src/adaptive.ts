import { Kvm, type KV } from "@nats-io/kv";
import type { NatsConnection } from "@nats-io/transport-node";
import { Subjects, decodeJson, encodeJson, jetStreamReplicas, type LimitChangeEvent, type Logger, type PoolName } from "@toolmesh/core";
import {
  AdaptiveLimit,
  DEFAULT_ADAPTIVE,
  LEVELS,
  type HealthThresholds,
  type LearnedLimit,
  type LimitDecision,
  type LimitRange,
} from "@toolmesh/scaling";
import type { ConcurrencyLimiter } from "./limiter.js";
import type { WindowMeasure } from "./window-recorder.js";
import type { WorkerMetrics } from "./worker-metrics.js";

/** KV bucket of what worked per pool: its limit, level and latencies, the start after a restart. */
export const LIMITS_BUCKET = "TM_LIMITS";

export interface AdaptiveOptions {
  range: LimitRange;
  thresholds?: HealthThresholds;
  /** Keep and reuse what was learned in KV (default true). */
  learn?: boolean;
}

/** As stored in TM_LIMITS under the pool's name. */
interface StoredLearning extends LearnedLimit {
  /** Mean latency per tool, ms. */
  tools: Record<string, number>;
  updatedAtMs: number;
  instanceId: string;
}

/** Windows between two writes of what was learned when nothing changed. */
const LEARN_EVERY = 15;

/**
 * Runs a pool instance's AdaptiveLimit: feeds it each window, applies its
 * decisions to the limiter, and makes each change an event with its reason
 * (tm.evt.pool.<pool>.limit), a metric and a log line. What worked is kept
 * in KV per pool and is where the next start begins. An operator's
 * set-limit pins the limit until adaptation is asked back.
 */
export class AdaptiveController {
  readonly #policy: AdaptiveLimit;
  readonly #opts: ControllerDeps;
  readonly #kv: KV | undefined;
  readonly #toolMs = new Map<string, number>();
  #pinned = false;
  #windowsSinceSave = 0;

  private constructor(policy: AdaptiveLimit, deps: ControllerDeps, kv: KV | undefined) {
    this.#policy = policy;
    this.#opts = deps;
    this.#kv = kv;
  }

  static async start(deps: ControllerDeps, options: AdaptiveOptions): Promise<AdaptiveController> {
    let kv: KV | undefined;
    let learned: StoredLearning | undefined;
    if (options.learn !== false) {
      try {
        kv = await new Kvm(deps.nc).create(LIMITS_BUCKET, { history: 1, storage: "file", replicas: jetStreamReplicas() });
        const entry = await kv.get(deps.pool);
        if (entry?.operation === "PUT") learned = decodeJson<StoredLearning>(entry.value);
      } catch (err) {
        deps.log.warn({ err }, "no learned limits (TM_LIMITS unavailable); starting from the pool's minimum");
      }
    }
    const policy = new AdaptiveLimit(
      { ...DEFAULT_ADAPTIVE, ...(options.thresholds ? { thresholds: options.thresholds } : {}), range: options.range },
      learned,
    );
    const controller = new AdaptiveController(policy, deps, kv);
    for (const [tool, ms] of Object.entries(learned?.tools ?? {})) controller.#toolMs.set(tool, ms);
    deps.limiter.setLimit(policy.limit);
    deps.metrics.limit.set({ pool: deps.pool }, policy.limit);
    deps.metrics.level.set({ pool: deps.pool }, LEVELS.indexOf(policy.level));
    deps.log.info({ limit: policy.limit, level: policy.level, range: options.range, learned: Boolean(learned) }, "adaptive concurrency on");
    return controller;
  }

  get level(): string {
    return this.#pinned ? "pinned" : this.#policy.level;
  }

  get pinned(): boolean {
    return this.#pinned;
  }

  /** An operator fixed the limit: stop adapting until unpin(). */
  pin(): void {
    this.#pinned = true;
  }

  /** Adapt again, from the limit the operator left. */
  unpin(): void {
    this.#pinned = false;
    this.#policy.resume(this.#opts.limiter.limit);
  }

  toolFinished(tool: string, ms: number): void {
    const previous = this.#toolMs.get(tool);
    this.#toolMs.set(tool, previous === undefined ? ms : previous * 0.9 + ms * 0.1);
  }

  /** One window's measurements in; the limit moves if the policy says so. */
  onWindow(measure: WindowMeasure, cpuPercent: number, memoryFraction: number): LimitDecision | undefined {
    if (this.#pinned) return undefined;
    const decision = this.#policy.observe({
      throughput: measure.throughput,
      loadSteady: measure.backlog,
      cpuPercent,
      memoryFraction,
      errorRate: measure.errorRate,
      quality: measure.quality,
      finished: measure.finished,
      latencyMs: measure.meanMs,
      saturation: measure.saturation,
    });
    this.#windowsSinceSave += 1;
    if (decision.changed) this.#apply(decision);
    if (decision.changed || this.#windowsSinceSave >= LEARN_EVERY) void this.#save();
    return decision;
  }

  #apply(decision: LimitDecision): void {
    const { pool, instanceId, limiter, metrics, nc, log } = this.#opts;
    limiter.setLimit(decision.limit);
    metrics.limit.set({ pool }, decision.limit);
    metrics.level.set({ pool }, LEVELS.indexOf(decision.level));
    const direction =
      decision.limit > decision.previousLimit || LEVELS.indexOf(decision.level) > LEVELS.indexOf(decision.previousLevel) ? "up" : "down";
    metrics.limitChanges.inc({
      pool,
      direction,
      signal: decision.breaches[0]?.signal ?? (decision.reason.startsWith("gradient") ? "gradient" : "level"),
    });
    const event: LimitChangeEvent = {
      kind: "pool.limit",
      pool,
      instanceId,
      timeMs: Date.now(),
      limit: decision.limit,
      previousLimit: decision.previousLimit,
      level: decision.level,
      previousLevel: decision.previousLevel,
      reason: decision.reason,
    };
    try {
      nc.publish(Subjects.poolLimitEvent(pool), encodeJson(event));
    } catch (err) {
      log.debug({ err }, "could not publish a limit change");
    }
    log.info(
      { limit: decision.limit, previousLimit: decision.previousLimit, level: decision.level, reason: decision.reason },
      "concurrency limit adapted",
    );
  }

  async #save(): Promise<void> {
    if (!this.#kv) return;
    this.#windowsSinceSave = 0;
    const stored: StoredLearning = {
      ...this.#policy.learned(),
      tools: Object.fromEntries(this.#toolMs),
      updatedAtMs: Date.now(),
      instanceId: this.#opts.instanceId,
    };
    await this.#kv
      .put(this.#opts.pool, encodeJson(stored))
      .catch((err: unknown) => this.#opts.log.debug({ err }, "could not store learned limits"));
  }
}

interface ControllerDeps {
  nc: NatsConnection;
  pool: PoolName;
  instanceId: string;
  limiter: ConcurrencyLimiter;
  metrics: WorkerMetrics;
  log: Logger;
}
