import type { MetricsSnapshot } from "@toolmesh/core";
import { describe, expect, it } from "vitest";
import { applyHealth, judgeHealth, replicasForBacklog, splitCap, summariseLoad, type PoolLoad } from "../src/policy/index.js";

const idleLoad: PoolLoad = {
  instances: 1,
  meanLimit: 32,
  inFlight: 0,
  durationMs: 100,
  finished: 0,
  errorRate: 0,
  cpuPercent: 10,
  memoryFraction: 0.1,
};

describe("replicasForBacklog", () => {
  it("clears the backlog within the target: ceil((backlog × duration / target + inFlight) / limit)", () => {
    // 600 × 2 s / 30 s = 40 calls at once, + 8 running = 48, / 16 per replica = 3.
    const r = replicasForBacklog({ pending: 500, ackPending: 100, inFlight: 8, durationMs: 2000, targetDrainS: 30, perReplicaLimit: 16 });
    expect(r.replicas).toBe(3);
    expect(r.reason).toContain("backlog 600 (500 pending + 100 ack-pending)");
    expect(r.reason).toContain("→ 3");
  });
  it("rounds up a fraction of a replica, and not float noise", () => {
    expect(
      replicasForBacklog({ pending: 1, ackPending: 0, inFlight: 16, durationMs: 1000, targetDrainS: 30, perReplicaLimit: 16 }).replicas,
    ).toBe(2);
    expect(
      replicasForBacklog({ pending: 0, ackPending: 0, inFlight: 48, durationMs: 1000, targetDrainS: 30, perReplicaLimit: 16 }).replicas,
    ).toBe(3);
  });
  it("is zero with nothing queued or running", () => {
    expect(
      replicasForBacklog({ pending: 0, ackPending: 0, inFlight: 0, durationMs: 1000, targetDrainS: 30, perReplicaLimit: 16 }).replicas,
    ).toBe(0);
  });
  it("longer tasks and shorter targets need more replicas", () => {
    const base = { pending: 300, ackPending: 0, inFlight: 0, perReplicaLimit: 10 };
    expect(replicasForBacklog({ ...base, durationMs: 1000, targetDrainS: 30 }).replicas).toBe(1);
    expect(replicasForBacklog({ ...base, durationMs: 4000, targetDrainS: 30 }).replicas).toBe(4);
    expect(replicasForBacklog({ ...base, durationMs: 1000, targetDrainS: 10 }).replicas).toBe(3);
  });
});

describe("summariseLoad", () => {
  const snap = (over: Partial<MetricsSnapshot>): MetricsSnapshot => ({
    service: "testpool",
    instanceId: "a",
    pool: "test",
    tools: [],
    timeMs: 0,
    limit: 32,
    minLimit: 32,
    maxLimit: 256,
    inFlight: 0,
    completed: 0,
    failed: 0,
    p50Ms: 0,
    p99Ms: 0,
    cpuPercent: 0,
    rssBytes: 0,
    draining: false,
    ...over,
  });
  it("averages limits, sums in-flight, weights meanMs by throughput and leaves draining instances out", () => {
    const load = summariseLoad(
      [
        snap({ instanceId: "a", limit: 20, inFlight: 5, meanMs: 100, throughput: 30 }),
        snap({ instanceId: "b", limit: 40, inFlight: 7, meanMs: 400, throughput: 10 }),
        snap({ instanceId: "c", limit: 99, inFlight: 9, draining: true }),
      ],
      new Map(),
    );
    expect(load).toMatchObject({ instances: 2, meanLimit: 30, inFlight: 12, durationMs: 175 });
  });
  it("falls back to p50 without meanMs, and to undefined when nothing finished", () => {
    expect(summariseLoad([snap({ p50Ms: 80 }), snap({ instanceId: "b", p50Ms: 120 })], new Map()).durationMs).toBe(100);
    expect(summariseLoad([snap({})], new Map()).durationMs).toBeUndefined();
  });
  it("turns cumulative counters into per-tick error rates", () => {
    const counters = new Map();
    summariseLoad([snap({ completed: 100, failed: 0 })], counters);
    const load = summariseLoad([snap({ completed: 108, failed: 2 })], counters);
    expect(load.finished).toBe(10);
    expect(load.errorRate).toBeCloseTo(0.2);
  });
});

describe("health for replicas", () => {
  const busy = { backlog: 0, inFlight: 4 };
  const idle = { backlog: 0, inFlight: 0 };
  it("CPU ≥ 90 % adds a replica even when the backlog does not call for one", () => {
    const verdict = judgeHealth({ ...idleLoad, cpuPercent: 95 });
    expect(verdict.kind).toBe("pressure");
    expect(applyHealth(1, 2, verdict, busy)).toMatchObject({ replicas: 3 });
    expect(applyHealth(1, 2, verdict, busy).note).toContain("CPU 95 %");
    // Queued work with nothing running yet is work too.
    expect(applyHealth(1, 2, verdict, { backlog: 3, inFlight: 0 })).toMatchObject({ replicas: 3 });
  });
  it("CPU or memory pressure adds nothing to a pool with no backlog and nothing in flight", () => {
    for (const over of [{ cpuPercent: 100 }, { memoryFraction: 0.99 }, { cpuPercent: 100, memoryFraction: 0.99 }]) {
      const verdict = judgeHealth({ ...idleLoad, ...over });
      expect(verdict.kind).toBe("pressure");
      const applied = applyHealth(0, 2, verdict, idle);
      expect(applied.replicas).toBe(0);
      expect(applied.note).toContain("no backlog and nothing in flight: not this pool's work, no replica more");
    }
  });
  it("memory ≥ 85 % is pressure too", () => {
    expect(judgeHealth({ ...idleLoad, memoryFraction: 0.9 }).kind).toBe("pressure");
  });
  it("error rate ≥ 5 % holds a backlog-driven scale-up: errors are not capacity", () => {
    const verdict = judgeHealth({ ...idleLoad, finished: 100, errorRate: 0.1 });
    expect(verdict.kind).toBe("failing");
    expect(applyHealth(5, 2, verdict, busy)).toMatchObject({ replicas: 2 });
    expect(applyHealth(5, 2, verdict, busy).note).toContain("errors are not capacity");
    // Scale-down is still allowed.
    expect(applyHealth(1, 2, verdict, busy)).toEqual({ replicas: 1 });
  });
  it("an error rate over too few calls is not judged", () => {
    expect(judgeHealth({ ...idleLoad, finished: 2, errorRate: 0.5 }).kind).toBe("healthy");
  });
  it("resource pressure wins over errors", () => {
    expect(judgeHealth({ ...idleLoad, cpuPercent: 99, finished: 100, errorRate: 0.5 }).kind).toBe("pressure");
  });
  it("a pool with no instances is not judged", () => {
    expect(judgeHealth({ ...idleLoad, instances: 0, cpuPercent: 100 }).kind).toBe("healthy");
  });
});

describe("splitCap", () => {
  it("changes nothing under the cap", () => {
    expect(
      Object.fromEntries(
        splitCap(
          [
            { pool: "web", want: 5, min: 1 },
            { pool: "codebase", want: 5, min: 1 },
          ],
          10,
        ),
      ),
    ).toEqual({ web: 5, codebase: 5 });
  });
  it("splits by shares when every pool wants more than the cap (codebase 40, bash 30, web 20, agent 5, test 5)", () => {
    const want = (pool: string) => ({ pool, want: 100, min: 1 });
    const split = splitCap(["codebase", "bash", "web", "agent", "test"].map(want), 100);
    expect(Object.fromEntries(split)).toEqual({ codebase: 40, bash: 30, web: 20, agent: 5, test: 5 });
  });
  it("gives what a modest pool leaves to the hungry ones, in proportion", () => {
    const split = splitCap(
      [
        { pool: "codebase", want: 100, min: 1 },
        { pool: "web", want: 100, min: 1 },
        { pool: "bash", want: 2, min: 1 },
      ],
      20,
    );
    expect(split.get("bash")).toBe(2);
    expect(split.get("codebase")! + split.get("web")!).toBe(18);
    expect(split.get("codebase")).toBeGreaterThan(split.get("web")!);
  });
  it("keeps every pool's minimum and never exceeds the cap", () => {
    const split = splitCap(
      [
        { pool: "codebase", want: 50, min: 2 },
        { pool: "agent", want: 50, min: 3 },
        { pool: "test", want: 50, min: 1 },
      ],
      7,
    );
    expect([...split.values()].reduce((a, b) => a + b, 0)).toBe(7);
    expect(split.get("agent")).toBeGreaterThanOrEqual(3);
    expect(split.get("codebase")).toBeGreaterThanOrEqual(2);
    expect(split.get("test")).toBeGreaterThanOrEqual(1);
  });
});
