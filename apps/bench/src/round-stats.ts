/**
 * Statistics over rounds: each figure of a system is reported as the median
 * of its rounds with the smallest and largest, so one disturbed round
 * moves the median little and shows in the range.
 */
export interface Spread {
  median: number;
  min: number;
  max: number;
  /** Rounds that had a value (NaN and undefined are left out). */
  n: number;
}

/** Median of the values (the mean of the middle two for an even count); NaN for none. */
export function medianOf(values: readonly number[]): number {
  const sorted = values.filter((v) => Number.isFinite(v)).sort((a, b) => a - b);
  if (sorted.length === 0) return Number.NaN;
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

export function spreadOf(values: ReadonlyArray<number | undefined>): Spread {
  const finite = values.filter((v): v is number => v !== undefined && Number.isFinite(v));
  if (finite.length === 0) return { median: Number.NaN, min: Number.NaN, max: Number.NaN, n: 0 };
  return { median: medianOf(finite), min: Math.min(...finite), max: Math.max(...finite), n: finite.length };
}

/** Nearest-rank percentile of unsorted samples (q in [0, 1]); NaN for none. */
export function percentileOf(samples: readonly number[], q: number): number {
  if (samples.length === 0) return Number.NaN;
  const sorted = Float64Array.from(samples).sort();
  const rank = Math.min(sorted.length, Math.max(1, Math.ceil(q * sorted.length)));
  return sorted[rank - 1]!;
}

/** Digits that keep about three significant figures for the size of the value. */
export function digitsFor(value: number): number {
  const size = Math.abs(value);
  if (size >= 100) return 0;
  if (size >= 10) return 1;
  if (size >= 1) return 2;
  return 3;
}

/** `median (min–max)`, each to `digits` places (chosen by the median's size unless given); "n/a" with no rounds. */
export function formatSpread(spread: Spread, digits = digitsFor(spread.median), unit = ""): string {
  if (spread.n === 0) return "n/a";
  const f = (v: number): string => `${v.toFixed(digits)}${unit}`;
  return spread.n === 1 ? f(spread.median) : `${f(spread.median)} (${f(spread.min)}–${f(spread.max)})`;
}
