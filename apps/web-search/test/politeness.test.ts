import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { HostGate } from "../src/tools/limits.js";

// Fake time: the gate's spacing is checked to the millisecond, whatever the machine's load.
beforeEach(() => {
  vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout", "Date"] });
});
afterEach(() => {
  vi.useRealTimers();
});

describe("per-host politeness", () => {
  it("spaces the starts of fetches to one host by the interval; other hosts are not held back", async () => {
    const gate = new HostGate(10, 100);
    const signal = new AbortController().signal;
    const t0 = Date.now();
    const starts: number[] = [];
    const all = Promise.all(
      [0, 1, 2].map(async () => {
        const release = await gate.acquire("a.example:80", signal);
        starts.push(Date.now() - t0);
        release();
      }),
    );
    await vi.advanceTimersByTimeAsync(0);
    expect(starts).toEqual([0]);
    await vi.advanceTimersByTimeAsync(99);
    expect(starts).toEqual([0]);
    await vi.advanceTimersByTimeAsync(1);
    expect(starts).toEqual([0, 100]);
    // Another host meanwhile: no wait at all.
    const other = Date.now();
    (await gate.acquire("b.example:80", signal))();
    expect(Date.now()).toBe(other);
    await vi.advanceTimersByTimeAsync(100);
    expect(starts).toEqual([0, 100, 200]);
    await all;
  });

  it("a caller aborted while it waits its turn is rejected at once", async () => {
    const gate = new HostGate(1, 5_000);
    const first = await gate.acquire("h:80", new AbortController().signal);
    first();
    const controller = new AbortController();
    const waiting = gate.acquire("h:80", controller.signal);
    const t0 = Date.now();
    controller.abort(new Error("stop"));
    // No time passes: the abort alone ends the wait.
    await expect(waiting).rejects.toThrow("stop");
    expect(Date.now()).toBe(t0);
  });
});
