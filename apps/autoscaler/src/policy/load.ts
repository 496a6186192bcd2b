import type { MetricsSnapshot } from "@toolmesh/core";

/**
 * A pool's load as its live instances report it on the metrics bus, summed
 * or averaged over instances. Pure: the loop hands in the latest snapshots
 * and the cumulative counters it saw last tick.
 */
export interface PoolLoad {
  /** Live, non-draining instances that reported. */
  instances: number;
  /** Mean of the instances' concurrency limits (undefined: nobody reported). */
  meanLimit?: number | undefined;
  inFlight: number;
  /** Measured task duration, ms: meanMs weighted by throughput, else the mean p50 (undefined: nothing finished). */
  durationMs?: number | undefined;
  /** Calls finished (succeeded + failed) since the last tick, over all instances. */
  finished: number;
  /** Failed / finished since the last tick (0 when nothing finished). */
  errorRate: number;
  /** Mean CPU percent over instances. */
  cpuPercent: number;
  /** Mean memory fraction over instances that report one. */
  memoryFraction: number;
  /** Mean quality over instances that report one. */
  quality?: number | undefined;
}

/** Cumulative completed/failed per instance, to turn counters into per-tick deltas. */
export type InstanceCounters = Map<string, { completed: number; failed: number }>;

const mean = (values: number[]): number | undefined =>
  values.length === 0 ? undefined : values.reduce((a, b) => a + b, 0) / values.length;

/**
 * Summarises one pool's snapshots. Draining instances are left out: they
 * take no new work, so they are not capacity (the coordinator reads them the
 * same way). Counter deltas come from `previous`, updated in place.
 */
export function summariseLoad(snapshots: readonly MetricsSnapshot[], previous: InstanceCounters): PoolLoad {
  const live = snapshots.filter((s) => !s.draining);
  let finished = 0;
  let failed = 0;
  for (const s of live) {
    const before = previous.get(s.instanceId);
    // A first sighting (or a restarted instance whose counters went back) counts from zero.
    const baseCompleted = before && before.completed <= s.completed ? before.completed : 0;
    const baseFailed = before && before.failed <= s.failed ? before.failed : 0;
    finished += s.completed - baseCompleted + (s.failed - baseFailed);
    failed += s.failed - baseFailed;
    previous.set(s.instanceId, { completed: s.completed, failed: s.failed });
  }
  const weighted = live.filter((s) => s.meanMs !== undefined && s.meanMs > 0 && (s.throughput ?? 0) > 0);
  const throughput = weighted.reduce((a, s) => a + (s.throughput ?? 0), 0);
  const durationMs =
    throughput > 0
      ? weighted.reduce((a, s) => a + (s.meanMs ?? 0) * (s.throughput ?? 0), 0) / throughput
      : mean(live.map((s) => s.p50Ms).filter((p) => p > 0));
  const memory = live.map((s) => s.memoryFraction).filter((m): m is number => m !== undefined);
  const quality = live.map((s) => s.quality).filter((q): q is number => q !== undefined);
  return {
    instances: live.length,
    meanLimit: mean(live.map((s) => s.limit)),
    inFlight: live.reduce((a, s) => a + s.inFlight, 0),
    durationMs,
    finished,
    errorRate: finished > 0 ? failed / finished : 0,
    cpuPercent: mean(live.map((s) => s.cpuPercent)) ?? 0,
    memoryFraction: mean(memory) ?? 0,
    quality: mean(quality),
  };
}
