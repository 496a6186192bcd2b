import { describe, expect, it } from "vitest";
import { AdaptiveLimit, DEFAULT_ADAPTIVE, type WindowObservation } from "../src/index.js";

/**
 * A backend with room for `capacity` calls at once: beyond it calls share
 * it (latency grows with the limit, throughput does not), and past 1.5× it
 * calls start to fail. Deterministic, so the policy's convergence is tested
 * without timing; `npm run bench:adaptive` measures the real runtime.
 */
function overloadedBackend(capacity: number, baseMs: number) {
  return (limit: number): WindowObservation => {
    const latencyMs = baseMs * Math.max(1, limit / capacity);
    const errorRate = limit > 1.5 * capacity ? (limit - 1.5 * capacity) / limit : 0;
    const throughput = (limit / latencyMs) * 1000 * (1 - errorRate);
    return {
      throughput,
      loadSteady: true,
      cpuPercent: 50,
      memoryFraction: 0.4,
      errorRate,
      finished: Math.round(throughput * 2),
      latencyMs,
      saturation: 1,
    };
  };
}

describe("AdaptiveLimit against an overloaded backend", () => {
  it.each([
    [10, 1, 64],
    [24, 4, 64],
    [6, 2, 32],
  ])(
    "capacity %i, range %i..%i: settles where errors stay under 5 percent and throughput is within 10 percent of the best fixed limit",
    (capacity, min, max) => {
      const backend = overloadedBackend(capacity, 50);
      const best = Math.max(...Array.from({ length: max - min + 1 }, (_, i) => backend(min + i).throughput));
      const limit = new AdaptiveLimit({ ...DEFAULT_ADAPTIVE, range: { min, max } });
      const tail: WindowObservation[] = [];
      for (let window = 0; window < 300; window++) {
        const observed = backend(limit.limit);
        limit.observe(observed);
        if (window >= 200) tail.push(observed);
      }
      const meanThroughput = tail.reduce((a, w) => a + w.throughput, 0) / tail.length;
      const meanErrors = tail.reduce((a, w) => a + w.errorRate, 0) / tail.length;
      expect(meanErrors).toBeLessThan(0.05);
      expect(meanThroughput / best).toBeGreaterThanOrEqual(0.9);
    },
  );
});
