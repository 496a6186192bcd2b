import { levelAbove, levelBelow, levelCeiling, levelOf, type Level, type LimitRange } from "./levels.js";
import { SEED_THRESHOLDS, breaches, isResourceSignal, type Breach, type HealthThresholds, type WindowStats } from "./thresholds.js";

export interface AdaptiveLimitConfig {
  range: LimitRange;
  thresholds: HealthThresholds;
  /** Latency inflation over the unloaded latency tolerated before the gradient lowers the limit (Gradient2's tolerance). */
  tolerance: number;
  /** Weight of each window's new estimate in the limit (the rest is the old limit). */
  smoothing: number;
  /** Healthy, saturated windows in a row before the level steps up. */
  stepUpAfter: number;
  /** Windows after a step down during which the level does not step up. */
  cooldownWindows: number;
  /** Share of the limit a step down keeps (multiplicative decrease). */
  backoff: number;
}

export const DEFAULT_ADAPTIVE: Omit<AdaptiveLimitConfig, "range"> = {
  thresholds: SEED_THRESHOLDS,
  tolerance: 1.3,
  smoothing: 0.5,
  stepUpAfter: 3,
  cooldownWindows: 3,
  backoff: 0.8,
};

/** One window as a pool instance saw it. */
export interface WindowObservation extends WindowStats {
  /** Mean latency of the calls finished in the window, ms (0 when none finished). */
  latencyMs: number;
  /** Mean in-flight calls / limit over the window, 0..1. */
  saturation: number;
}

export interface LimitDecision {
  limit: number;
  level: Level;
  previousLimit: number;
  previousLevel: Level;
  changed: boolean;
  /** Why, in words: "step down: error rate 7.5 % ≥ 5 %", "gradient: latency 1.9× its average", … */
  reason: string;
  breaches: Breach[];
}

/** What is worth keeping across restarts (the starting point of the next run). */
export interface LearnedLimit {
  limit: number;
  level: Level;
  latencyMs?: number | undefined;
  baselineThroughput?: number | undefined;
}

const SATURATED = 0.85;
/** How fast the ceiling left by a crossed threshold rises again: one call per 50 healthy windows. */
const PROBE_PER_WINDOW = 0.02;
/** Windows of latency kept to find the unloaded latency in. */
const LATENCY_HISTORY = 100;

/**
 * A pool instance's concurrency limit, moved by measurement. Pure: it is
 * fed one window of measurements at a time and returns the new limit with
 * its reason; the runtime applies it and the tests drive it directly.
 *
 * - Any seed threshold crossed (CPU, memory, error rate, quality, a
 *   throughput drop under steady load) steps the level down and cuts the
 *   limit multiplicatively. CPU and memory are the instance's own use, and
 *   count only in a window in which it had work (something finished or in
 *   flight): an idle instance's limit is not what loads it.
 * - Otherwise a latency-gradient limiter in the style of Netflix's Gradient2
 *   fine-tunes within the level: limit × clamp(tolerance × unloaded latency
 *   / this window's latency, 0.5, 1) + √limit / 2, smoothed, and only grown
 *   while the instance is saturated (an idle pool teaches nothing about its
 *   limit). The unloaded latency is a low percentile of recent windows (as
 *   Vegas uses the minimum RTT), not a running average: an average follows
 *   a slowly inflating latency and the limit would creep up with it.
 * - Healthy and saturated at the level's ceiling for a few windows in a row,
 *   the level steps up.
 */
export class AdaptiveLimit {
  readonly #config: AdaptiveLimitConfig;
  /** Kept fractional: small steps must add up instead of rounding away. */
  #estimate: number;
  #level: Level;
  /** Recent windows' mean latencies, for the unloaded latency. */
  readonly #recentLatencies: number[] = [];
  #baselineThroughput?: number;
  #healthyStreak = 0;
  #cooldown = 0;
  /**
   * Just below the limit at which a threshold was last crossed (as TCP's
   * ssthresh): growth stops there, and it rises again only slowly, so the
   * limit probes the edge now and then instead of living on it.
   */
  #troubleCeiling = Number.POSITIVE_INFINITY;

  constructor(config: AdaptiveLimitConfig, start?: LearnedLimit) {
    if (!(config.range.min >= 1 && config.range.max >= config.range.min)) {
      throw new RangeError(`limit range must have 1 <= min <= max, got ${config.range.min}..${config.range.max}`);
    }
    this.#config = config;
    const startLimit = start ? clamp(Math.round(start.limit), config.range.min, config.range.max) : config.range.min;
    this.#level = start ? start.level : levelOf(config.range, startLimit);
    if (levelCeiling(config.range, this.#level) < startLimit) this.#level = levelOf(config.range, startLimit);
    this.#estimate = startLimit;
    if (start?.latencyMs) this.#recentLatencies.push(start.latencyMs);
    if (start?.baselineThroughput) this.#baselineThroughput = start.baselineThroughput;
  }

  get limit(): number {
    return Math.round(this.#estimate);
  }

  get level(): Level {
    return this.#level;
  }

  /** Carries on from `limit` (an operator set it): the level follows it, the learned latencies stay. */
  resume(limit: number): void {
    const { range } = this.#config;
    this.#estimate = clamp(Math.round(limit), range.min, range.max);
    this.#level = levelOf(range, this.#estimate);
    this.#healthyStreak = 0;
    this.#baselineThroughput = undefined;
  }

  #unloadedLatency(): number | undefined {
    return lowPercentile(this.#recentLatencies);
  }

  learned(): LearnedLimit {
    return { limit: this.limit, level: this.#level, latencyMs: this.#unloadedLatency(), baselineThroughput: this.#baselineThroughput };
  }

  observe(window: WindowObservation): LimitDecision {
    const previousLimit = this.limit;
    const previousLevel = this.#level;
    const decide = (reason: string, found: Breach[] = []): LimitDecision => ({
      limit: this.limit,
      level: this.#level,
      previousLimit,
      previousLevel,
      changed: this.limit !== previousLimit || this.#level !== previousLevel,
      reason,
      breaches: found,
    });
    const { range, thresholds } = this.#config;

    // An instance that ran nothing in the window (nothing finished, nothing in flight) did not cause
    // its CPU or memory use, and a lower limit cannot relieve it: resource breaches need work.
    const idle = window.finished === 0 && window.saturation === 0;
    const all = breaches({ ...window, baselineThroughput: this.#baselineThroughput }, thresholds);
    const found = idle ? all.filter((b) => !isResourceSignal(b.signal)) : all;
    const ignored = all.filter((b) => !found.includes(b));
    if (found.length > 0) {
      this.#troubleCeiling = Math.max(range.min, previousLimit - 1);
      this.#level = levelBelow(this.#level);
      this.#estimate = clamp(
        Math.min(levelCeiling(range, this.#level), Math.floor(this.#estimate * this.#config.backoff)),
        range.min,
        range.max,
      );
      this.#healthyStreak = 0;
      this.#cooldown = this.#config.cooldownWindows;
      // The throughput that comes next belongs to the new limit: learn it afresh.
      this.#baselineThroughput = undefined;
      return decide(`step down: ${found.map((b) => b.message).join("; ")}`, found);
    }
    const coolingDown = this.#cooldown > 0;
    this.#cooldown = Math.max(0, this.#cooldown - 1);
    if (window.finished === 0) {
      const note = ignored.length > 0 ? ` (${ignored.map((b) => b.message).join("; ")}: not this instance's work)` : "";
      return decide(`idle: nothing finished in the window${note}`);
    }

    if (window.loadSteady) this.#baselineThroughput = ema(this.#baselineThroughput, window.throughput, 0.3);
    this.#recentLatencies.push(window.latencyMs);
    if (this.#recentLatencies.length > LATENCY_HISTORY) this.#recentLatencies.shift();
    const long = this.#unloadedLatency()!;
    const gradient = clamp((this.#config.tolerance * long) / Math.max(window.latencyMs, 1e-6), 0.5, 1);
    const saturated = window.saturation >= SATURATED;
    this.#troubleCeiling += PROBE_PER_WINDOW;
    const levelTop = levelCeiling(range, this.#level);
    const ceiling = Math.min(levelTop, Math.floor(this.#troubleCeiling));
    let estimate = this.#estimate * gradient + Math.sqrt(this.#estimate) / 2;
    // Only a saturated instance may grow: below its limit, latency says nothing about more.
    if (!saturated) estimate = Math.min(estimate, this.#estimate);
    const smoothed = this.#estimate * (1 - this.#config.smoothing) + estimate * this.#config.smoothing;
    this.#estimate = clamp(smoothed, range.min, ceiling);
    const inflation = window.latencyMs / Math.max(long, 1e-6);

    if (saturated && gradient >= 0.99 && this.limit >= levelTop) {
      this.#healthyStreak += 1;
      if (this.#healthyStreak >= this.#config.stepUpAfter && !coolingDown && this.#level !== "maximum") {
        this.#level = levelAbove(this.#level);
        this.#healthyStreak = 0;
        return decide(`step up: saturated and healthy for ${this.#config.stepUpAfter} windows at the ${previousLevel} ceiling ${levelTop}`);
      }
    } else {
      this.#healthyStreak = 0;
    }
    if (this.limit < previousLimit) return decide(`gradient: latency ${inflation.toFixed(2)}× the unloaded ${long.toFixed(1)} ms`);
    if (this.limit > previousLimit)
      return decide(`gradient: saturated (${(window.saturation * 100).toFixed(0)} % busy), latency ${inflation.toFixed(2)}× the unloaded`);
    return decide("steady");
  }
}

/** The unloaded latency: the 10th percentile of recent windows' means (robust to one lucky window). */
function lowPercentile(values: readonly number[]): number | undefined {
  if (values.length === 0) return undefined;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor((sorted.length - 1) * 0.1)];
}

function clamp(value: number, min: number, max: number): number {
  return Math.min(max, Math.max(min, value));
}

function ema(previous: number | undefined, sample: number, alpha: number): number {
  return previous === undefined ? sample : previous * (1 - alpha) + sample * alpha;
}
