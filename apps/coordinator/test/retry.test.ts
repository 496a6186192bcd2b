import { describe, expect, it } from "vitest";
import { attemptTimeoutMs, backoffMs, DEADLINE_GRACE_MS, mayResend, RESEND_WINDOW_MS } from "../src/workflow/retry.js";
import type { TaskRecord } from "../src/workflow/task-record.js";
import { task } from "./workflow-harness.js";

const retry = { maxAttempts: 5, initialBackoffMs: 200, multiplier: 3, maxBackoffMs: 2000 };

describe("backoffMs", () => {
  it("jitters within ±20 % of the base, inclusive at the low end", () => {
    expect(backoffMs(retry, 2, () => 0)).toBe(160);
    expect(backoffMs(retry, 2, () => 0.5)).toBe(200);
    expect(backoffMs(retry, 2, () => 0.999_999)).toBe(240);
    for (let i = 0; i < 1000; i++) {
      const delay = backoffMs(retry, 3);
      expect(delay).toBeGreaterThanOrEqual(480);
      expect(delay).toBeLessThanOrEqual(720);
    }
  });

  it("grows by the multiplier per attempt and stops at maxBackoffMs", () => {
    const mid = () => 0.5;
    expect([2, 3, 4, 5].map((n) => backoffMs(retry, n, mid))).toEqual([200, 600, 1800, 2000]);
    expect(backoffMs(retry, 9, () => 0.999_999)).toBe(2400);
  });
});

describe("attempt deadlines and resends", () => {
  const queued = (queuedAtMs: number): TaskRecord => ({
    spec: task("a"),
    state: "queued",
    attempt: 1,
    queuedAtMs,
    deadlineMs: queuedAtMs + 5000,
  });

  it("waits for the deadline plus the grace, never less than the grace", () => {
    expect(attemptTimeoutMs(10_000, 4000)).toBe(6000 + DEADLINE_GRACE_MS);
    expect(attemptTimeoutMs(10_000, 20_000)).toBe(DEADLINE_GRACE_MS);
  });

  it("re-sends only inside the duplicate window, or an attempt that never left", () => {
    expect(mayResend(queued(0), RESEND_WINDOW_MS - 1)).toBe(true);
    expect(mayResend(queued(0), RESEND_WINDOW_MS)).toBe(false);
    expect(mayResend({ spec: task("a"), state: "queued", attempt: 1 }, 10 ** 12)).toBe(true);
  });
});
