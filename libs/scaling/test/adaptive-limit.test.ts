import { describe, expect, it } from "vitest";
import {
  AdaptiveLimit,
  DEFAULT_ADAPTIVE,
  breaches,
  isResourceSignal,
  levelCeiling,
  levelOf,
  type WindowObservation,
} from "../src/index.js";

const range = { min: 16, max: 32 };
const healthy = (over: Partial<WindowObservation> = {}): WindowObservation => ({
  throughput: 100,
  loadSteady: true,
  cpuPercent: 40,
  memoryFraction: 0.3,
  errorRate: 0,
  finished: 200,
  latencyMs: 50,
  saturation: 1,
  ...over,
});
const limiter = (start?: ConstructorParameters<typeof AdaptiveLimit>[1]) => new AdaptiveLimit({ ...DEFAULT_ADAPTIVE, range }, start);

describe("levels", () => {
  it("split the range into four ceilings: a quarter of the span above min, half, three quarters, max", () => {
    expect(["initial", "moderate", "aggressive", "maximum"].map((l) => levelCeiling(range, l as never))).toEqual([20, 24, 28, 32]);
    expect(levelOf(range, 22)).toBe("moderate");
    expect(levelOf({ min: 8, max: 8 }, 8)).toBe("initial");
  });
});

describe("breaches of the seed thresholds", () => {
  it("names each crossed threshold with its numbers", () => {
    const found = breaches({
      throughput: 70,
      baselineThroughput: 100,
      loadSteady: true,
      cpuPercent: 95,
      memoryFraction: 0.9,
      errorRate: 0.06,
      quality: 0.5,
      finished: 50,
    });
    expect(found.map((b) => b.signal)).toEqual(["cpu", "memory", "errors", "quality", "throughput"]);
    expect(found.find((b) => b.signal === "errors")?.message).toBe("error rate 6.0 % ≥ 5.0 %");
    expect(found.find((b) => b.signal === "throughput")?.message).toMatch(/30\.0 % below its baseline 100\.0\/s/);
  });

  it("ignores rates over too few calls and throughput drops without steady load", () => {
    expect(
      breaches({
        throughput: 1,
        baselineThroughput: 100,
        loadSteady: false,
        cpuPercent: 10,
        memoryFraction: 0.1,
        errorRate: 1,
        quality: 0,
        finished: 2,
      }),
    ).toEqual([]);
  });

  it("tells resource signals from the calls' own", () => {
    expect(["cpu", "memory", "errors", "quality", "throughput"].filter((s) => isResourceSignal(s as never))).toEqual(["cpu", "memory"]);
  });

  it("is exactly at the thresholds inclusive (≥) and quality strictly below", () => {
    const at = breaches({
      throughput: 80,
      baselineThroughput: 100,
      loadSteady: true,
      cpuPercent: 90,
      memoryFraction: 0.85,
      errorRate: 0.05,
      quality: 0.8,
      finished: 100,
    });
    expect(at.map((b) => b.signal)).toEqual(["cpu", "memory", "errors", "throughput"]);
  });
});

describe("AdaptiveLimit", () => {
  it("starts at the range's minimum (initial level) or at what was learned", () => {
    expect([limiter().limit, limiter().level]).toEqual([16, "initial"]);
    const learned = limiter({ limit: 30, level: "maximum" });
    expect([learned.limit, learned.level]).toEqual([30, "maximum"]);
    expect(limiter({ limit: 500, level: "initial" }).limit).toBe(32);
  });

  it("climbs level by level while saturated and healthy, never past the maximum", () => {
    const l = limiter();
    const seen: string[] = [];
    for (let i = 0; i < 60; i++) {
      const d = l.observe(healthy());
      if (d.reason.startsWith("step up")) seen.push(d.level);
    }
    expect(seen).toEqual(["moderate", "aggressive", "maximum"]);
    expect(l.limit).toBe(32);
  });

  it("does not grow when not saturated: an idle pool teaches nothing about its limit", () => {
    const l = limiter({ limit: 20, level: "moderate" });
    for (let i = 0; i < 20; i++) l.observe(healthy({ saturation: 0.3 }));
    expect(l.limit).toBeLessThanOrEqual(20);
    expect(l.level).toBe("moderate");
    expect(l.observe(healthy({ finished: 0, throughput: 0, saturation: 0, loadSteady: false })).reason).toMatch(/^idle/);
  });

  it("steps down a level and cuts the limit on an error rate ≥ 5 %, saying why", () => {
    const l = limiter({ limit: 32, level: "maximum" });
    const d = l.observe(healthy({ errorRate: 0.1 }));
    expect(d).toMatchObject({ changed: true, previousLevel: "maximum", level: "aggressive", previousLimit: 32, limit: 25 });
    // Once more: the ceiling of "moderate" (24) is above 0.8 × 25, so the cut is multiplicative.
    expect(l.observe(healthy({ errorRate: 0.1 }))).toMatchObject({ level: "moderate", limit: 20 });
    expect(d.reason).toBe("step down: error rate 10.0 % ≥ 5.0 %");
  });

  it("steps down on CPU, memory, quality and a throughput drop under steady load", () => {
    for (const over of [{ cpuPercent: 97 }, { memoryFraction: 0.9 }, { quality: 0.4 }]) {
      expect(limiter({ limit: 32, level: "maximum" }).observe(healthy(over)).level).toBe("aggressive");
    }
    const l = limiter({ limit: 32, level: "maximum" });
    for (let i = 0; i < 5; i++) l.observe(healthy({ throughput: 100 }));
    const drop = l.observe(healthy({ throughput: 70 }));
    expect(drop.breaches.map((b) => b.signal)).toEqual(["throughput"]);
    // After a step down the baseline is learned afresh, so the lower throughput of the lower limit does not cascade.
    expect(l.observe(healthy({ throughput: 70 })).breaches).toEqual([]);
  });

  it("an idle window's CPU or memory does not step it down: with no work, its limit is not what loads it", () => {
    const idle = { throughput: 0, loadSteady: false, finished: 0, latencyMs: 0, saturation: 0 };
    for (const over of [{ cpuPercent: 100 }, { memoryFraction: 0.95 }]) {
      const l = limiter({ limit: 32, level: "maximum" });
      const d = l.observe(healthy({ ...idle, ...over }));
      expect(d).toMatchObject({ limit: 32, level: "maximum", changed: false, breaches: [] });
      expect(d.reason).toMatch(
        /^idle: nothing finished in the window \((CPU 100 % ≥ 90 %|memory 95\.0 % of the limit ≥ 85\.0 %): not this instance's work\)$/,
      );
    }
    // Work in flight (nothing finished yet) or calls finished: the same numbers step it down.
    expect(limiter({ limit: 32, level: "maximum" }).observe(healthy({ ...idle, saturation: 0.1, cpuPercent: 100 })).level).toBe(
      "aggressive",
    );
    expect(limiter({ limit: 32, level: "maximum" }).observe(healthy({ ...idle, finished: 1, cpuPercent: 100 })).level).toBe("aggressive");
  });

  it("holds the level for the cool-down after a step down", () => {
    const l = limiter({ limit: 21, level: "moderate" });
    l.observe(healthy({ cpuPercent: 99 }));
    const reasons = Array.from({ length: 3 }, () => l.observe(healthy()).reason);
    expect(reasons.some((r) => r.startsWith("step up"))).toBe(false);
  });

  it("the gradient lowers the limit when latency inflates past the tolerance, within the level", () => {
    const l = limiter({ limit: 32, level: "maximum" });
    for (let i = 0; i < 10; i++) l.observe(healthy({ latencyMs: 50 }));
    const d = l.observe(healthy({ latencyMs: 200 }));
    expect(d.limit).toBeLessThan(32);
    expect(d.reason).toMatch(/^gradient: latency \d+\.\d+× the unloaded \d+\.\d ms/);
    expect(d.level).toBe("maximum");
  });

  it("never leaves its range", () => {
    const l = limiter();
    for (let i = 0; i < 50; i++) l.observe(healthy({ errorRate: 0.5 }));
    expect(l.limit).toBe(16);
    expect(l.level).toBe("initial");
  });

  it("refuses a nonsensical range", () => {
    expect(() => new AdaptiveLimit({ ...DEFAULT_ADAPTIVE, range: { min: 0, max: 4 } })).toThrow(/1 <= min <= max/);
    expect(() => new AdaptiveLimit({ ...DEFAULT_ADAPTIVE, range: { min: 8, max: 4 } })).toThrow(RangeError);
  });
});
