import type { MetricsSnapshot } from "@toolmesh/core";
import { MIN_CALLS_FOR_RATES, SEED_THRESHOLDS, breaches, type HealthThresholds } from "@toolmesh/scaling";

/** One pool as `toolmesh top` shows it: its live instances summed or averaged. */
export interface PoolRow {
  pool: string;
  replicas: number;
  /** The instances' levels, e.g. "moderate" or "initial+moderate" when they differ. */
  level: string;
  limit: number;
  inFlight: number;
  queue: number | undefined;
  throughput: number;
  p50Ms: number;
  p99Ms: number;
  errorRate: number;
  quality: number;
  cpuPercent: number;
  memoryFraction: number;
  /** Seed thresholds crossed, in words. */
  alerts: string[];
}

const mean = (values: number[]): number => (values.length ? values.reduce((a, b) => a + b, 0) / values.length : 0);
const max = (values: number[]): number => (values.length ? Math.max(...values) : 0);

/**
 * Pools from the latest snapshot of each live instance. Rates are weighted by
 * calls (a busy instance's error rate counts more than an idle one's); CPU
 * and memory show the worst instance, which is what an alert is about.
 */
export function poolRows(
  snapshots: readonly MetricsSnapshot[],
  queues: ReadonlyMap<string, number>,
  thresholds: HealthThresholds = SEED_THRESHOLDS,
): PoolRow[] {
  const byPool = new Map<string, MetricsSnapshot[]>();
  for (const s of snapshots) if (s.pool && !s.draining) byPool.set(s.pool, [...(byPool.get(s.pool) ?? []), s]);
  const rows: PoolRow[] = [];
  for (const [pool, instances] of [...byPool].sort(([a], [b]) => a.localeCompare(b))) {
    const throughput = instances.reduce((a, s) => a + (s.throughput ?? 0), 0);
    const weight = (pick: (s: MetricsSnapshot) => number): number =>
      throughput > 0 ? instances.reduce((a, s) => a + pick(s) * (s.throughput ?? 0), 0) / throughput : mean(instances.map(pick));
    const errorRate = weight((s) => s.errorRate ?? 0);
    const quality = weight((s) => s.quality ?? 1);
    const cpuPercent = max(instances.map((s) => s.cpuPercent));
    const memoryFraction = max(instances.map((s) => s.memoryFraction ?? 0));
    const queue = queues.get(pool);
    const alerts = breaches(
      // A snapshot has rates, not counts: judge them whenever the pool had traffic.
      { throughput, loadSteady: false, cpuPercent, memoryFraction, errorRate, quality, finished: throughput > 0 ? MIN_CALLS_FOR_RATES : 0 },
      thresholds,
    ).map((b) => b.message);
    if (queue !== undefined && queue > 0 && instances.every((s) => s.inFlight === 0)) alerts.push(`${queue} queued and nothing running`);
    const levels = [...new Set(instances.map((s) => s.level ?? "fixed"))];
    rows.push({
      pool,
      replicas: instances.length,
      level: levels.join("+"),
      limit: instances.reduce((a, s) => a + s.limit, 0),
      inFlight: instances.reduce((a, s) => a + s.inFlight, 0),
      queue,
      throughput,
      p50Ms: weight((s) => s.p50Ms),
      p99Ms: max(instances.map((s) => s.p99Ms)),
      errorRate,
      quality,
      cpuPercent,
      memoryFraction,
      alerts,
    });
  }
  return rows;
}
