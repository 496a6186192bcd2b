import { ConcurrencyLimiter, LatencyWindow, percentile } from "@toolmesh/runtime";
import { describe, expect, it } from "vitest";

/**
 * Lets every pending promise reaction run (setImmediate comes after all
 * microtasks): the limiter wakes waiters with promises only, so whatever would
 * resolve has resolved by then. No guessing at a duration.
 */
const settled = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe("ConcurrencyLimiter", () => {
  it("counts free slots and wakes a waiter when one is released", async () => {
    const limiter = new ConcurrencyLimiter(2);
    limiter.take();
    limiter.take();
    expect(limiter.free).toBe(0);
    let woke = false;
    const waiting = limiter.whenFree().then(() => (woke = true));
    await settled();
    expect(woke).toBe(false);
    limiter.release();
    await waiting;
    expect(limiter.free).toBe(1);
  });

  it("raising the limit at run time frees slots; lowering it never goes below in-flight work", async () => {
    const limiter = new ConcurrencyLimiter(1);
    limiter.take();
    const waiting = limiter.whenFree();
    limiter.setLimit(3);
    await waiting;
    expect(limiter.free).toBe(2);
    limiter.take();
    limiter.setLimit(1);
    expect(limiter.inFlight).toBe(2);
    expect(limiter.free).toBe(0);
    limiter.setLimit(0);
    expect(limiter.limit).toBe(1);
  });

  it("whenIdle resolves only after the last release", async () => {
    const limiter = new ConcurrencyLimiter(4);
    limiter.take();
    limiter.take();
    let idle = false;
    const done = limiter.whenIdle().then(() => (idle = true));
    limiter.release();
    await settled();
    expect(idle).toBe(false);
    limiter.release();
    await done;
    expect(idle).toBe(true);
  });
});

describe("latency percentiles", () => {
  it("takes nearest-rank percentiles and starts a new window", () => {
    const window = new LatencyWindow();
    for (let ms = 1; ms <= 100; ms++) window.add(ms);
    expect(window.takePercentiles()).toEqual({ p50: 50, p99: 99, count: 100 });
    expect(window.takePercentiles()).toEqual({ p50: 0, p99: 0, count: 0 });
    expect(percentile([5], 0.99)).toBe(5);
  });
});

describe("whenFree after the limit is lowered", () => {
  it("does not resolve while no slot is free, even though lowering the limit wakes waiters", async () => {
    const limiter = new ConcurrencyLimiter(2);
    limiter.take();
    limiter.take();
    let resolved = false;
    const waiting = limiter.whenFree().then(() => (resolved = true));
    limiter.setLimit(1);
    await settled();
    expect(resolved).toBe(false);
    limiter.release();
    await settled();
    expect(resolved).toBe(false);
    limiter.release();
    await waiting;
    expect(limiter.free).toBe(1);
  });
});
