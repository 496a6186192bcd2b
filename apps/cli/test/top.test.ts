import type { MetricsSnapshot } from "@toolmesh/core";
import { describe, expect, it } from "vitest";
import { poolRows } from "@toolmesh/observe";
import { renderTop } from "../src/top/render.js";

const snapshot = (over: Partial<MetricsSnapshot>): MetricsSnapshot => ({
  service: "codebase",
  instanceId: "a",
  pool: "codebase",
  tools: ["code.grep"],
  timeMs: 0,
  limit: 32,
  minLimit: 32,
  maxLimit: 48,
  inFlight: 10,
  completed: 100,
  failed: 0,
  p50Ms: 4,
  p99Ms: 20,
  cpuPercent: 30,
  rssBytes: 1,
  draining: false,
  level: "initial",
  throughput: 100,
  errorRate: 0,
  quality: 1,
  saturation: 0.3,
  memoryFraction: 0.4,
  backlog: false,
  ...over,
});

describe("toolmesh top's pool rows", () => {
  it("sums a pool's instances, weights its rates by traffic, and shows the worst CPU and memory", () => {
    const [row] = poolRows(
      [
        snapshot({ instanceId: "a", throughput: 300, errorRate: 0.0, cpuPercent: 40 }),
        snapshot({ instanceId: "b", throughput: 100, errorRate: 0.08, cpuPercent: 95, level: "moderate" }),
        snapshot({ instanceId: "c", draining: true }),
      ],
      new Map([["codebase", 12]]),
    );
    expect(row).toMatchObject({
      pool: "codebase",
      replicas: 2,
      limit: 64,
      inFlight: 20,
      queue: 12,
      throughput: 400,
      level: "initial+moderate",
      cpuPercent: 95,
    });
    expect(row!.errorRate).toBeCloseTo(0.02);
    // CPU crosses the seed threshold on one instance; the pool's weighted error rate does not.
    expect(row!.alerts).toEqual(["CPU 95 % ≥ 90 %"]);
  });

  it("alerts on work queued with nothing running, and renders alerts and recent changes", () => {
    const rows = poolRows([snapshot({ pool: "web", instanceId: "w", inFlight: 0, throughput: 0 })], new Map([["web", 5]]));
    expect(rows[0]!.alerts).toEqual(["5 queued and nothing running"]);
    const text = renderTop(rows, [
      {
        kind: "pool.limit",
        pool: "web",
        instanceId: "w",
        timeMs: 0,
        limit: 12,
        previousLimit: 16,
        level: "initial",
        previousLevel: "moderate",
        reason: "step down: error rate 7.0 % ≥ 5.0 %",
      },
    ]);
    expect(text).toMatch(/^pool\s+repl\s+level\s+limit/m);
    expect(text).toMatch(/^web\s+1\s+initial\s+32\s+0\s+5/m);
    expect(text).toContain("! web: 5 queued and nothing running");
    expect(text).toContain("web w: limit 16 → 12 (initial): step down: error rate 7.0 % ≥ 5.0 %");
  });
});
