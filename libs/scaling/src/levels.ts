/**
 * Progressive levels: a pool's range split into four bands. The level is
 * the ceiling the limiter may fine-tune up to (from the range's minimum);
 * stepping down a level lowers the ceiling at once, stepping up raises it.
 */
export const LEVELS = ["initial", "moderate", "aggressive", "maximum"] as const;
export type Level = (typeof LEVELS)[number];

export interface LimitRange {
  min: number;
  max: number;
}

/** The highest limit allowed at `level`: a quarter of the range above min, half, three quarters, max. */
export function levelCeiling(range: LimitRange, level: Level): number {
  const index = LEVELS.indexOf(level);
  return Math.round(range.min + ((range.max - range.min) * (index + 1)) / LEVELS.length);
}

/** The lowest level whose ceiling admits `limit`. */
export function levelOf(range: LimitRange, limit: number): Level {
  return LEVELS.find((level) => levelCeiling(range, level) >= limit) ?? "maximum";
}

export function levelAbove(level: Level): Level {
  return LEVELS[Math.min(LEVELS.length - 1, LEVELS.indexOf(level) + 1)]!;
}

export function levelBelow(level: Level): Level {
  return LEVELS[Math.max(0, LEVELS.indexOf(level) - 1)]!;
}
