import { describe, expect, it } from "vitest";
// The built module: it starts its helper scripts (responder, js-worker, bullmq-worker) from next to itself.
import { runBench } from "../dist/throughput.js";

/**
 * The whole default benchmark, shrunk: one short round of every system,
 * tiny workflows, no explore. It checks the bench still runs end to end
 * against main's services and reports every row; no figure is asserted.
 */
describe("toolmesh-bench, one short round", () => {
  it("starts every system once, measures each, prints one table, then workflows and memory", { timeout: 180_000 }, async () => {
    const lines: string[] = [];
    const report = await runBench(
      { rounds: 1, roundSeconds: 0.3, warmupSeconds: 0.2, sequentialCalls: 3, concurrency: 8, workflowTasks: 5, explore: false },
      (line) => lines.push(line),
    );
    const keys = report.systems.map((s) => s.key);
    expect(keys.slice(0, 5)).toEqual(["toolmesh-stream", "toolmesh-unary", "raw-nats", "js-one-hop", "js-both"]);
    // BullMQ runs when the local Redis answers, else it is one note.
    if (keys.length === 5) expect(report.notes.some((n) => n.startsWith("BullMQ: skipped"))).toBe(true);
    else expect(keys.slice(5)).toEqual(["bullmq", "bullmq-bulk"]);
    for (const s of report.systems) {
      expect(s.rounds).toBe(1);
      expect(s.callsPerSec.median).toBeGreaterThan(0);
      expect(s.cpuByProcess.map((p) => p.label)).toContain("client");
    }
    expect(report.ratios.map((r) => r.baseline)).toEqual(keys.filter((k) => !k.startsWith("toolmesh")));
    expect(report.workflows.map((w) => w.tasks)).toEqual([5, 6]);
    for (const w of report.workflows) {
      expect(w.submitMs).toBeGreaterThan(0);
      expect(w.submitMs).toBeLessThanOrEqual(w.wallMs);
    }
    const coordinator = report.memory.find((m) => m.label.startsWith("coordinator"));
    expect(coordinator?.idleKb).toBeGreaterThan(0);
    expect(coordinator?.peakKb).toBeGreaterThanOrEqual(coordinator?.endKb ?? Infinity);
    expect(report.repeated.map((s) => [s.label, s.afterRunKb.length])).toEqual([
      ["coordinator", 5],
      ["testpool", 5],
    ]);
    expect(lines).toContain(
      "| system | calls/s | p50 ms | p99 ms | 1-call p50 ms | CPU ms/call, all | CPU ms/call by process (median) | others' CPU % |",
    );
  });
});
