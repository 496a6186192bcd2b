import { SEED_THRESHOLDS, breaches, type Breach, type HealthThresholds } from "@toolmesh/scaling";
import type { PoolLoad } from "./load.js";

/**
 * What the seed's health thresholds mean for replicas (the per-instance
 * limiter reads the same `breaches()` to step its limit down):
 *
 * - CPU ≥ 90 % or memory ≥ 85 % (mean over the pool's instances, each the
 *   instance's own use: see ResourceSampler in @toolmesh/runtime): resource
 *   pressure that more replicas spread. The pool gets at least one replica
 *   more than it has, whatever the backlog says — but only while it has
 *   work: with no backlog and nothing in flight the pressure is not the
 *   pool's doing (a busy host, a start-up, a GC) and another replica would
 *   spread nothing, so an idle pool is never scaled up on CPU or memory.
 * - error rate ≥ 5 % or quality < 0.8 (over ≥ 5 calls since the last tick):
 *   failures that are not capacity (a bad backend, a bad provider). More
 *   replicas would fail faster, so the backlog alone does not scale the pool
 *   up; it may still scale down. Resource pressure wins over this rule: a
 *   pool failing because it is out of CPU still gets replicas.
 * - throughput drop is the limiter's business (it needs a per-instance
 *   baseline) and is not judged here.
 */
export type HealthVerdict =
  { kind: "healthy" } | { kind: "pressure"; breaches: Breach[]; reason: string } | { kind: "failing"; breaches: Breach[]; reason: string };

export function judgeHealth(load: PoolLoad, thresholds: HealthThresholds = SEED_THRESHOLDS): HealthVerdict {
  if (load.instances === 0) return { kind: "healthy" };
  const found = breaches(
    {
      throughput: 0,
      loadSteady: false,
      cpuPercent: load.cpuPercent,
      memoryFraction: load.memoryFraction,
      errorRate: load.errorRate,
      quality: load.quality,
      finished: load.finished,
    },
    thresholds,
  );
  const pressure = found.filter((b) => b.signal === "cpu" || b.signal === "memory");
  if (pressure.length > 0) return { kind: "pressure", breaches: pressure, reason: pressure.map((b) => b.message).join(", ") };
  const failing = found.filter((b) => b.signal === "errors" || b.signal === "quality");
  if (failing.length > 0) return { kind: "failing", breaches: failing, reason: failing.map((b) => b.message).join(", ") };
  return { kind: "healthy" };
}

/** The pool's work this tick: its consumer's backlog and the calls its instances run. */
export interface PoolWork {
  /** num_pending + num_ack_pending. */
  backlog: number;
  inFlight: number;
}

/** The load's recommendation adjusted by the verdict, with why. */
export function applyHealth(
  recommended: number,
  current: number,
  verdict: HealthVerdict,
  work: PoolWork,
): { replicas: number; note?: string } {
  if (verdict.kind === "pressure" && recommended <= current) {
    if (work.backlog === 0 && work.inFlight === 0) {
      return {
        replicas: recommended,
        note: `${verdict.reason}, but no backlog and nothing in flight: not this pool's work, no replica more`,
      };
    }
    return { replicas: current + 1, note: `${verdict.reason}: one replica more to spread the load` };
  }
  if (verdict.kind === "failing" && recommended > current) {
    return { replicas: current, note: `${verdict.reason}: errors are not capacity, no scale-up on backlog` };
  }
  return { replicas: recommended };
}
