import type { LimitChangeEvent, ScaleEvent } from "@toolmesh/core";
import type { PoolRow } from "@toolmesh/observe";

const pct = (x: number): string => `${(x * 100).toFixed(0)}%`;

/** The frame: a table of pools, their alerts, then the latest limit and scale changes. */
export function renderTop(rows: readonly PoolRow[], recent: ReadonlyArray<LimitChangeEvent | ScaleEvent>, now = Date.now()): string {
  const header = ["pool", "repl", "level", "limit", "busy", "queue", "calls/s", "p50ms", "p99ms", "err", "qual", "cpu", "mem"];
  const table = rows.map((r) => [
    r.pool,
    String(r.replicas),
    r.level,
    String(r.limit),
    String(r.inFlight),
    r.queue === undefined ? "?" : String(r.queue),
    r.throughput.toFixed(1),
    r.p50Ms.toFixed(1),
    r.p99Ms.toFixed(1),
    pct(r.errorRate),
    r.quality.toFixed(2),
    `${r.cpuPercent.toFixed(0)}%`,
    pct(r.memoryFraction),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...table.map((row) => row[i]!.length)));
  const line = (cells: string[]): string => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join("  ");
  const out = [`toolmesh top — ${new Date(now).toISOString().slice(11, 19)}`, "", line(header), ...table.map(line)];
  if (rows.length === 0) out.push("(no pool instance has reported on the metrics bus yet)");
  const alerts = rows.flatMap((r) => r.alerts.map((a) => `  ! ${r.pool}: ${a}`));
  if (alerts.length) out.push("", "alerts:", ...alerts);
  if (recent.length) {
    out.push("", "recent changes:");
    for (const e of recent.slice(-8)) {
      const at = new Date(e.timeMs).toISOString().slice(11, 19);
      out.push(
        e.kind === "pool.limit"
          ? `  ${at} ${e.pool} ${e.instanceId}: limit ${e.previousLimit} → ${e.limit} (${e.level}): ${e.reason}`
          : `  ${at} ${e.pool}: replicas ${e.previousReplicas} → ${e.replicas} (${e.backend}): ${e.reason}`,
      );
    }
  }
  return out.join("\n");
}
