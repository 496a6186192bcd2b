import type { MetricsSnapshot, PoolName } from "@toolmesh/core";
import type { WindowMeasure } from "./window-recorder.js";

/** The fields a snapshot copies as they are, from the worker's own state. */
type CopiedFields =
  | "service"
  | "instanceId"
  | "tools"
  | "timeMs"
  | "limit"
  | "minLimit"
  | "maxLimit"
  | "inFlight"
  | "completed"
  | "failed"
  | "cpuPercent"
  | "rssBytes"
  | "draining";

/** Everything a snapshot reports, gathered by the worker at one instant; the builder itself reads no clock or process state. */
export type SnapshotInput = Pick<MetricsSnapshot, CopiedFields> & {
  pool: PoolName;
  percentiles: { p50: number; p99: number };
  memoryFraction: number;
  /** The adaptive level, or "fixed" when the limit is an operator's. */
  level: string;
  measure: WindowMeasure;
};

export function buildSnapshot(input: SnapshotInput): MetricsSnapshot {
  const { measure } = input;
  return {
    service: input.service,
    instanceId: input.instanceId,
    pool: input.pool,
    tools: input.tools,
    timeMs: input.timeMs,
    limit: input.limit,
    minLimit: input.minLimit,
    maxLimit: input.maxLimit,
    inFlight: input.inFlight,
    completed: input.completed,
    failed: input.failed,
    p50Ms: input.percentiles.p50,
    p99Ms: input.percentiles.p99,
    cpuPercent: input.cpuPercent,
    rssBytes: input.rssBytes,
    draining: input.draining,
    level: input.level,
    throughput: measure.throughput,
    meanMs: measure.meanMs,
    errorRate: measure.errorRate,
    quality: measure.quality,
    saturation: measure.saturation,
    memoryFraction: input.memoryFraction,
    backlog: measure.backlog,
  };
}
