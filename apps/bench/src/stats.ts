import { percentile } from "@toolmesh/runtime";

export interface LatencySummary {
  samples: number;
  p50Ms: number;
  p99Ms: number;
  meanMs: number;
  maxMs: number;
}

/** The runtime's nearest-rank percentile, but NaN with no samples: a report must not show an empty run as 0 ms. */
function percentileOrNaN(sorted: readonly number[], q: number): number {
  return sorted.length === 0 ? Number.NaN : percentile(sorted, q);
}

export function summarize(latenciesMs: readonly number[]): LatencySummary {
  const sorted = Float64Array.from(latenciesMs).sort();
  const values = Array.from(sorted);
  const total = values.reduce((sum, ms) => sum + ms, 0);
  return {
    samples: values.length,
    p50Ms: percentileOrNaN(values, 0.5),
    p99Ms: percentileOrNaN(values, 0.99),
    meanMs: values.length > 0 ? total / values.length : Number.NaN,
    maxMs: values.length > 0 ? values[values.length - 1]! : Number.NaN,
  };
}

export function median(values: readonly number[]): number {
  return percentileOrNaN(Array.from(Float64Array.from(values).sort()), 0.5);
}

/** `median ms (min-max)` of a path's rounds. */
export function range(valuesMs: readonly number[]): string {
  const sorted = Array.from(Float64Array.from(valuesMs).sort());
  return `${median(sorted).toFixed(0)} ms (${sorted[0]!.toFixed(0)}-${sorted[sorted.length - 1]!.toFixed(0)})`;
}
