/**
 * @toolmesh/scaling — measurement-driven scaling policy as pure code: the
 * seed's health thresholds, progressive levels and the adaptive concurrency
 * limit every pool instance runs. No I/O; the worker runtime and the
 * autoscaler feed it measurements.
 *
 *   const limit = new AdaptiveLimit({ ...DEFAULT_ADAPTIVE, range: { min: 16, max: 32 } });
 *   const decision = limit.observe(window); // { limit, level, changed, reason, breaches }
 */
export { AdaptiveLimit, DEFAULT_ADAPTIVE } from "./adaptive-limit.js";
export type { AdaptiveLimitConfig, LearnedLimit, LimitDecision, WindowObservation } from "./adaptive-limit.js";
export { LEVELS, levelAbove, levelBelow, levelCeiling, levelOf } from "./levels.js";
export type { Level, LimitRange } from "./levels.js";
export { MIN_CALLS_FOR_RATES, SEED_THRESHOLDS, breaches, isResourceSignal } from "./thresholds.js";
export type { Breach, HealthThresholds, Signal, WindowStats } from "./thresholds.js";
