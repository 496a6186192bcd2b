/**
 * The seed's health thresholds and the check of one window of measurements
 * against them. Shared by every pool's adaptive limiter and by the
 * autoscaler, so both read "unhealthy" the same way.
 */
export interface HealthThresholds {
  /** Step down when throughput falls this fraction below its baseline while load is steady. */
  throughputDrop: number;
  /**
   * Step down at or above this CPU use: percent of what the instance may
   * use (its JS thread's one core, or its cgroup's / process tree's share of
   * its CPUs, whichever is busier). The instance's own use, never the machine's.
   */
  cpuPercent: number;
  /** Step down at or above this share of the instance's memory ceiling (its cgroup's limit where it has one, else its budget). */
  memoryFraction: number;
  /** Step down at or above this share of calls failing. */
  errorRate: number;
  /** Step down below this quality score (share of calls that returned usable results). */
  minQuality: number;
}

export const SEED_THRESHOLDS: Readonly<HealthThresholds> = {
  throughputDrop: 0.2,
  cpuPercent: 90,
  memoryFraction: 0.85,
  errorRate: 0.05,
  minQuality: 0.8,
};

/** One window of a pool instance's measurements. */
export interface WindowStats {
  /** Calls finished per second in the window. */
  throughput: number;
  /** Recent throughput under steady load, if known. */
  baselineThroughput?: number | undefined;
  /** Work was waiting for this instance through the window (its pulls came back full). */
  loadSteady: boolean;
  /** The instance's own CPU use, percent (0-100); see HealthThresholds.cpuPercent. */
  cpuPercent: number;
  /** The instance's own memory use / its ceiling, 0..1. */
  memoryFraction: number;
  /** Failed calls / finished calls in the window (0 when none finished). */
  errorRate: number;
  /** Mean quality score of the window's successful calls, if any reported one. */
  quality?: number | undefined;
  /** Calls finished in the window; rates over fewer than a handful mean little. */
  finished: number;
}

export type Signal = "throughput" | "cpu" | "memory" | "errors" | "quality";

export interface Breach {
  signal: Signal;
  value: number;
  threshold: number;
  /** e.g. "error rate 7.5 % ≥ 5 %". */
  message: string;
}

/** CPU and memory: what an instance's resources say, as against what its calls returned. */
export function isResourceSignal(signal: Signal): boolean {
  return signal === "cpu" || signal === "memory";
}

/** Fewer finished calls than this in a window: rates (errors, quality) are not judged. */
export const MIN_CALLS_FOR_RATES = 5;

const pct = (x: number): string => `${(x * 100).toFixed(1)} %`;

/** The thresholds the window crosses, worst first (resources, then errors, quality, throughput). */
export function breaches(stats: WindowStats, thresholds: HealthThresholds = SEED_THRESHOLDS): Breach[] {
  const found: Breach[] = [];
  if (stats.cpuPercent >= thresholds.cpuPercent) {
    found.push({
      signal: "cpu",
      value: stats.cpuPercent,
      threshold: thresholds.cpuPercent,
      message: `CPU ${stats.cpuPercent.toFixed(0)} % ≥ ${thresholds.cpuPercent} %`,
    });
  }
  if (stats.memoryFraction >= thresholds.memoryFraction) {
    found.push({
      signal: "memory",
      value: stats.memoryFraction,
      threshold: thresholds.memoryFraction,
      message: `memory ${pct(stats.memoryFraction)} of the limit ≥ ${pct(thresholds.memoryFraction)}`,
    });
  }
  if (stats.finished >= MIN_CALLS_FOR_RATES && stats.errorRate >= thresholds.errorRate) {
    found.push({
      signal: "errors",
      value: stats.errorRate,
      threshold: thresholds.errorRate,
      message: `error rate ${pct(stats.errorRate)} ≥ ${pct(thresholds.errorRate)}`,
    });
  }
  if (stats.finished >= MIN_CALLS_FOR_RATES && stats.quality !== undefined && stats.quality < thresholds.minQuality) {
    found.push({
      signal: "quality",
      value: stats.quality,
      threshold: thresholds.minQuality,
      message: `quality ${stats.quality.toFixed(2)} < ${thresholds.minQuality}`,
    });
  }
  if (stats.loadSteady && stats.baselineThroughput !== undefined && stats.baselineThroughput > 0) {
    const drop = 1 - stats.throughput / stats.baselineThroughput;
    // A hair of slack: 1 − 80/100 is 0.19999… in floating point.
    if (drop >= thresholds.throughputDrop - 1e-9) {
      found.push({
        signal: "throughput",
        value: drop,
        threshold: thresholds.throughputDrop,
        message: `throughput ${stats.throughput.toFixed(1)}/s is ${pct(drop)} below its baseline ${stats.baselineThroughput.toFixed(1)}/s under steady load`,
      });
    }
  }
  return found;
}
