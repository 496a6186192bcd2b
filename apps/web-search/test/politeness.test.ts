import { describe, expect, it } from "vitest";
import { HostGate } from "../src/tools/limits.js";

describe("per-host politeness", () => {
  it("spaces the starts of fetches to one host by the interval; other hosts are not held back", async () => {
    const gate = new HostGate(10, 100);
    const signal = new AbortController().signal;
    const t0 = Date.now();
    const starts = await Promise.all([0, 1, 2].map(async () => {
      const release = await gate.acquire("a.example:80", signal);
      const at = Date.now() - t0;
      release();
      return at;
    }));
    starts.sort((a, b) => a - b);
    expect(starts[0]).toBeLessThan(50);
    expect(starts[1]).toBeGreaterThanOrEqual(95);
    expect(starts[2]).toBeGreaterThanOrEqual(195);
    const other = Date.now();
    (await gate.acquire("b.example:80", signal))();
    expect(Date.now() - other).toBeLessThan(50);
  });

  it("a caller aborted while it waits its turn is rejected at once", async () => {
    const gate = new HostGate(1, 5_000);
    const first = await gate.acquire("h:80", new AbortController().signal);
    first();
    const controller = new AbortController();
    const waiting = gate.acquire("h:80", controller.signal);
    controller.abort(new Error("stop"));
    const t0 = Date.now();
    await expect(waiting).rejects.toThrow("stop");
    expect(Date.now() - t0).toBeLessThan(1000);
  });
});
