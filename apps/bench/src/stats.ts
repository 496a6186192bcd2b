export interface LatencySummary {
  samples: number;
  p50Ms: number;
  p99Ms: number;
  meanMs: number;
  maxMs: number;
}

/** Nearest-rank percentile of an ascending array (p in 0..100). */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1]!;
}

export function summarize(latenciesMs: readonly number[]): LatencySummary {
  const sorted = Float64Array.from(latenciesMs).sort();
  const values = Array.from(sorted);
  const total = values.reduce((sum, ms) => sum + ms, 0);
  return {
    samples: values.length,
    p50Ms: percentile(values, 50),
    p99Ms: percentile(values, 99),
    meanMs: values.length > 0 ? total / values.length : Number.NaN,
    maxMs: values.length > 0 ? values[values.length - 1]! : Number.NaN,
  };
}

export function median(values: readonly number[]): number {
  return percentile(Array.from(Float64Array.from(values).sort()), 50);
}

/** `median ms (min-max)` of a path's rounds. */
export function range(valuesMs: readonly number[]): string {
  const sorted = Array.from(Float64Array.from(valuesMs).sort());
  return `${median(sorted).toFixed(0)} ms (${sorted[0]!.toFixed(0)}-${sorted[sorted.length - 1]!.toFixed(0)})`;
}
