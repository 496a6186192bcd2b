import type { InterleavedOptions } from "./options.js";
import { formatSpread, type Spread } from "./round-stats.js";
import type { RatioRow, SystemSummary } from "./summary.js";

/** The options the table's heading line reports (their meanings are in options.ts). */
export type TableMeta = Pick<
  InterleavedOptions,
  "rounds" | "roundSeconds" | "warmupSeconds" | "concurrency" | "sequentialCalls" | "coordinators"
>;

export interface AddedLatency {
  name: string;
  ms: Spread;
}

const cell = (text: string): string => text.replaceAll("|", "\\|");

function row(cells: string[]): string {
  return `| ${cells.map(cell).join(" | ")} |`;
}

/** `client 0.12, coordinator 0.30, …` (medians, ms per call), then what could not be read. */
export function cpuBreakdown(summary: SystemSummary): string {
  const parts = summary.cpuByProcess.map((p) => `${p.label} ${p.perCall.n === 0 ? "n/a" : p.perCall.median.toFixed(3)}`);
  for (const label of summary.unreadable) parts.push(`${label} not readable`);
  return parts.join(", ");
}

/** `name: JetStream writes per call (median): KV_TM_WORKFLOWS 3.000, TM_EVENTS 2.000, …` */
export function writesLine(summary: SystemSummary): string {
  const parts = summary.writesPerCall
    .filter((w) => w.perCall.max > 0)
    .map((w) => `${w.stream} ${w.perCall.n === 0 ? "n/a" : w.perCall.median.toFixed(3)}`);
  return `${summary.name}: JetStream messages written per call (median): ${parts.join(", ")}`;
}

/**
 * The report as Markdown: one table of every system (medians over the
 * rounds with min–max), the subject's ratios against each baseline, and
 * the latency it adds over raw request/reply.
 */
export function formatTable(
  meta: TableMeta,
  systems: readonly SystemSummary[],
  subjectName: string,
  ratios: readonly RatioRow[],
  added: readonly AddedLatency[],
  notes: readonly string[] = [],
): string[] {
  const lines = [
    `${meta.rounds} rounds × ${meta.roundSeconds} s per system, order rotated each round, ${meta.warmupSeconds} s warm-up each; ` +
      `${meta.concurrency} calls in flight; then ${meta.sequentialCalls} calls one at a time per round; ` +
      `${meta.coordinators} coordinator${meta.coordinators === 1 ? "" : "s"}. Median (min–max) over rounds. ` +
      "Others' CPU %: share of all cores that other processes (and steal) took during the system's windows.",
    "",
    row(["system", "calls/s", "p50 ms", "p99 ms", "1-call p50 ms", "CPU ms/call, all", "CPU ms/call by process (median)", "others' CPU %"]),
    row(["---", "---:", "---:", "---:", "---:", "---:", "---", "---:"]),
    ...systems.map((s) =>
      row([
        s.name,
        formatSpread(s.callsPerSec, 0),
        formatSpread(s.p50Ms, 2),
        formatSpread(s.p99Ms, 2),
        formatSpread(s.seqP50Ms, 2),
        formatSpread(s.cpuPerCall, 3),
        cpuBreakdown(s),
        formatSpread(
          { ...s.othersShare, median: s.othersShare.median * 100, min: s.othersShare.min * 100, max: s.othersShare.max * 100 },
          0,
        ),
      ]),
    ),
    "",
    row([`${subjectName} against`, "calls/s ratio", "CPU/call ratio (all processes)"]),
    row(["---", "---:", "---:"]),
    ...ratios.map((r) => row([r.baselineName, formatSpread(r.callsPerSec, 2, "×"), formatSpread(r.cpuPerCall, 2, "×")])),
  ];
  if (added.length > 0) {
    lines.push("");
    for (const a of added) lines.push(`Added one-call p50 over raw NATS request/reply, ${a.name}: ${formatSpread(a.ms, 2, " ms")}`);
  }
  const writes = systems.filter((s) => s.writesPerCall.length > 0).map(writesLine);
  if (writes.length > 0) lines.push("", ...writes);
  if (notes.length > 0) lines.push("", ...notes);
  return lines;
}
