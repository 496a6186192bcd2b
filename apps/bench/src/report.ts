import type { SystemResult } from "./measure.js";

export interface TargetCheck {
  label: string;
  /** Null when the baseline was skipped. */
  value: number | null;
  target: number;
  comparison: ">=" | "<=";
  unit: "×" | "%" | "ms";
  met: boolean | null;
}

export interface BenchReport {
  calls: number;
  concurrency: number;
  latencySamples: number;
  warmupCalls: number;
  /** Many calls over one CallTools stream: the throughput figures. */
  toolmesh: SystemResult;
  /** One unary CallTool per call: the single-call latency figure. */
  toolmeshUnary: SystemResult;
  rawNats: SystemResult;
  bullmq: SystemResult | null;
  /** Why the BullMQ baseline did not run. */
  bullmqSkipped?: string;
  ratios: {
    throughputVsBullmq: number | null;
    throughputVsRawNats: number;
    /** toolmesh unary CallTool sequential p50 − raw NATS sequential p50, ms. */
    addedP50Ms: number;
  };
  targets: TargetCheck[];
  /** Every target that could be checked was met. */
  targetsMet: boolean;
}

export const TARGETS = { throughputVsBullmq: 1.5, throughputVsRawNats: 0.5, addedP50Ms: 1.5 } as const;

function check(
  label: string,
  value: number | null,
  target: number,
  comparison: TargetCheck["comparison"],
  unit: TargetCheck["unit"],
): TargetCheck {
  const met = value === null ? null : comparison === ">=" ? value >= target : value <= target;
  return { label, value, target, comparison, unit, met };
}

export function buildReport(
  base: Pick<BenchReport, "calls" | "concurrency" | "latencySamples" | "warmupCalls">,
  toolmesh: SystemResult,
  toolmeshUnary: SystemResult,
  rawNats: SystemResult,
  bullmq: SystemResult | null,
  bullmqSkipped?: string,
): BenchReport {
  const throughputVsBullmq = bullmq ? toolmesh.throughput / bullmq.throughput : null;
  const throughputVsRawNats = toolmesh.throughput / rawNats.throughput;
  const addedP50Ms = toolmeshUnary.sequential.p50Ms - rawNats.sequential.p50Ms;
  const targets = [
    check("throughput / BullMQ", throughputVsBullmq, TARGETS.throughputVsBullmq, ">=", "×"),
    check("throughput / raw NATS", throughputVsRawNats, TARGETS.throughputVsRawNats, ">=", "%"),
    check("added p50, one call", addedP50Ms, TARGETS.addedP50Ms, "<=", "ms"),
  ];
  return {
    ...base,
    toolmesh,
    toolmeshUnary,
    rawNats,
    bullmq,
    ...(bullmqSkipped ? { bullmqSkipped } : {}),
    ratios: { throughputVsBullmq, throughputVsRawNats, addedP50Ms },
    targets,
    targetsMet: targets.every((t) => t.met !== false),
  };
}

const ms = (value: number): string => value.toFixed(2);

function row(cells: string[], widths: number[]): string {
  return cells.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!))).join("  ");
}

function inUnit(value: number, unit: TargetCheck["unit"]): string {
  if (unit === "%") return `${(value * 100).toFixed(0)} %`;
  if (unit === "ms") return `${ms(value)} ms`;
  return `${value.toFixed(2)}×`;
}

/** The human-readable table: one row per system, then the ratios against their targets. */
export function formatReport(report: BenchReport): string[] {
  const widths = [26, 9, 9, 9, 11, 11];
  const systems = [report.toolmesh, report.toolmeshUnary, report.rawNats, ...(report.bullmq ? [report.bullmq] : [])];
  const lines = [
    `${report.calls} calls with ${report.concurrency} in flight (p50/p99 per call), then ${report.latencySamples} one at a time (seq); ${report.warmupCalls} warm-up calls not counted`,
    "",
    row(["system", "calls/s", "p50 ms", "p99 ms", "seq p50 ms", "seq p99 ms"], widths),
    ...systems.map((s) =>
      row(
        [s.name, s.throughput.toFixed(0), ms(s.concurrent.p50Ms), ms(s.concurrent.p99Ms), ms(s.sequential.p50Ms), ms(s.sequential.p99Ms)],
        widths,
      ),
    ),
  ];
  if (report.bullmqSkipped) lines.push(`${row(["BullMQ", "skipped", "", "", "", ""], widths)}  (${report.bullmqSkipped})`);
  lines.push("");
  for (const t of report.targets) {
    const mark = t.met === null ? "–" : t.met ? "✓" : "✗";
    const value = t.value === null ? "skipped" : inUnit(t.value, t.unit);
    const target = `${t.comparison === ">=" ? "≥" : "≤"} ${inUnit(t.target, t.unit)}`;
    lines.push(`toolmesh ${t.label.padEnd(24)}${value.padStart(10)}   target ${target.padEnd(9)} ${mark}`);
  }
  return lines;
}
