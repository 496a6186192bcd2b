import type { ConsumerMessages, FetchOptions, JsMsg } from "@nats-io/jetstream";
import { createLogger, decodeJson, type CommandReply } from "@toolmesh/core";
import { waitFor } from "@toolmesh/testing";
import { ConcurrencyLimiter } from "@toolmesh/runtime";
import {
  Backoff,
  PullLoop,
  RunningTasks,
  buildSnapshot,
  encodeReply,
  handlePing,
  handleSetLimit,
  type CommandTarget,
} from "@toolmesh/runtime/internal";
import { describe, expect, it } from "vitest";

const log = createLogger("unit", "silent");

function target(overrides: Partial<CommandTarget> = {}): CommandTarget & { limits: number[] } {
  const limits: number[] = [];
  return {
    instanceId: "w1",
    service: "unit",
    pool: "test",
    maxLimit: 8,
    limiter: new ConcurrencyLimiter(2),
    running: new RunningTasks(),
    adaptive: undefined,
    log,
    draining: () => false,
    status: undefined,
    onLimit: (limit) => limits.push(limit),
    drain: () => Promise.resolve(),
    limits,
    ...overrides,
  };
}

describe("command handlers", () => {
  it("set-limit applies a limit capped at the pool's maximum", () => {
    const t = target();
    expect(handleSetLimit(t, { limit: 5 })).toEqual({ ok: true, detail: "limit=5" });
    expect(handleSetLimit(t, { limit: 50 })).toEqual({ ok: true, detail: "limit=8" });
    expect(t.limiter.limit).toBe(8);
    expect(t.limits).toEqual([5, 8]);
  });

  it("set-limit refuses a limit that is not a whole number >= 1", () => {
    const t = target();
    expect(handleSetLimit(t, { limit: 0 })).toEqual({ ok: false, detail: "limit must be a whole number >= 1, got 0" });
    expect(handleSetLimit(t, { limit: 2.5 }).ok).toBe(false);
    expect(t.limiter.limit).toBe(2);
  });

  it("ping reports the limit, in-flight count and status facts, or that it drains", () => {
    expect(handlePing(target())).toEqual({ ok: true, detail: "limit=2 inFlight=0" });
    expect(handlePing(target({ status: () => "sandbox=none" })).detail).toBe("sandbox=none limit=2 inFlight=0");
    expect(handlePing(target({ draining: () => true })).detail).toBe("draining");
  });

  it("replies name the instance", () => {
    const reply = decodeJson<CommandReply>(encodeReply(target(), { ok: true, detail: "drained" }));
    expect(reply).toEqual({ instanceId: "w1", service: "unit", pool: "test", ok: true, detail: "drained" });
  });
});

describe("Backoff", () => {
  it("doubles from the base up to the cap, jittered down by at most a quarter, and resets", () => {
    const b = new Backoff(500, 2000);
    expect([b.next(() => 0), b.next(() => 0), b.next(() => 0), b.next(() => 0)]).toEqual([500, 1000, 2000, 2000]);
    expect(b.next(() => 1)).toBe(1500);
    b.reset();
    expect(b.attempts).toBe(0);
    for (let i = 0; i < 50; i++) {
      const ms = new Backoff(500, 2000).next();
      expect(ms).toBeGreaterThanOrEqual(375);
      expect(ms).toBeLessThanOrEqual(500);
    }
  });
});

/** A fetch result that yields the given messages and then ends, like an expired pull. */
function batch(msgs: JsMsg[]): ConsumerMessages {
  return {
    async *[Symbol.asyncIterator]() {
      yield* msgs;
    },
    status: async function* () {},
  } as unknown as ConsumerMessages;
}

/** A source whose pulls stay open until the test pushes messages into them or ends them. */
function controlledSource(): {
  source: { fetch(opts?: FetchOptions): Promise<ConsumerMessages> };
  asks: number[];
  pulls: Array<{ push: (...msgs: JsMsg[]) => void; end: () => void }>;
} {
  const asks: number[] = [];
  const pulls: Array<{ push: (...msgs: JsMsg[]) => void; end: () => void }> = [];
  const fetch = (opts?: FetchOptions): Promise<ConsumerMessages> => {
    asks.push((opts as { max_messages: number }).max_messages);
    const queued: JsMsg[] = [];
    let wake: (() => void) | undefined;
    let ended = false;
    pulls.push({
      push: (...msgs) => {
        queued.push(...msgs);
        wake?.();
      },
      end: () => {
        ended = true;
        wake?.();
      },
    });
    return Promise.resolve({
      async *[Symbol.asyncIterator]() {
        for (;;) {
          while (queued.length > 0) yield queued.shift()!;
          if (ended) return;
          await new Promise<void>((resolve) => (wake = resolve));
        }
      },
      status: async function* () {},
    } as unknown as ConsumerMessages);
  };
  return { source: { fetch }, asks, pulls };
}

describe("PullLoop", () => {
  it("asks for exactly the free slots, backs off after a failed pull and recovers the consumer", async () => {
    const limiter = new ConcurrencyLimiter(3);
    const asks: number[] = [];
    const waits: number[] = [];
    const got: JsMsg[] = [];
    let recovered = 0;
    let calls = 0;
    let loop!: PullLoop;
    let finished!: () => void;
    const thirdPull = new Promise<void>((resolve) => (finished = resolve));
    const source = {
      fetch: (opts?: FetchOptions): Promise<ConsumerMessages> => {
        calls += 1;
        asks.push((opts as { max_messages: number }).max_messages);
        if (calls === 1) return Promise.reject(new Error("no responders"));
        if (calls === 2) return Promise.resolve(batch([{ seq: 1 } as JsMsg, { seq: 2 } as JsMsg]));
        finished();
        void loop.stop();
        return Promise.resolve(batch([]));
      },
    };
    loop = new PullLoop({
      source,
      limiter,
      expiresMs: 1000,
      log,
      onMessage: (msg) => got.push(msg),
      onPulled: () => undefined,
      recover: () => {
        recovered += 1;
        return Promise.resolve();
      },
      backoff: new Backoff(500, 2000),
      wait: (ms) => {
        waits.push(ms);
        return Promise.resolve();
      },
    });
    loop.start();
    await thirdPull;
    await loop.stop();
    expect(asks).toEqual([3, 3, 1]);
    expect(waits).toHaveLength(1);
    expect(waits[0]).toBeGreaterThanOrEqual(375);
    expect(recovered).toBe(1);
    expect(got.map((m) => m.seq)).toEqual([1, 2]);
    expect(limiter.inFlight).toBe(2);
  });

  it("asks again only for a quarter of the limit while a pull is open, and for every slot freed in one turn in one pull", async () => {
    const limiter = new ConcurrencyLimiter(8);
    const { source, asks, pulls } = controlledSource();
    const got: JsMsg[] = [];
    const loop = new PullLoop({
      source,
      limiter,
      expiresMs: 1000,
      log,
      onMessage: (m) => got.push(m),
      onPulled: () => undefined,
      recover: () => Promise.resolve(),
    });
    loop.start();
    expect(asks).toEqual([8]);
    // One at a time (light load): the open pull still covers the freed slot until two are unasked for.
    for (let i = 1; i <= 3; i++) {
      pulls[0]!.push({ seq: i } as JsMsg);
      await waitFor(() => (got.length === i ? true : undefined), 5000, `message ${i}`);
      limiter.release();
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
    expect(asks).toEqual([8, 2]);
    // Saturated: eight delivered at once, then all eight finish in one turn → one pull for all of them.
    pulls[0]!.push(...Array.from({ length: 5 }, (_, i) => ({ seq: 10 + i }) as JsMsg));
    pulls[1]!.push({ seq: 20 } as JsMsg, { seq: 21 } as JsMsg);
    await waitFor(() => (limiter.inFlight === 7 ? true : undefined), 5000, "seven in flight");
    for (let i = 0; i < 7; i++) limiter.release();
    await waitFor(() => (asks.length === 3 ? true : undefined), 5000, "a third pull");
    expect(asks).toEqual([8, 2, 8]);
    for (const pull of pulls) pull.end();
    await loop.stop();
    expect(limiter.inFlight).toBe(0);
  });

  it("counts consumer notifications by type and passes each on", () => {
    const seen: string[] = [];
    const loop = new PullLoop({
      source: { fetch: () => Promise.reject(new Error("unused")) },
      limiter: new ConcurrencyLimiter(1),
      expiresMs: 1000,
      log,
      onMessage: () => undefined,
      onPulled: () => undefined,
      recover: () => Promise.resolve(),
      onNotification: (note) => seen.push(note.type),
    });
    loop.notice({ type: "heartbeats_missed", count: 2 });
    loop.notice({ type: "heartbeats_missed", count: 3 });
    loop.notice({ type: "consumer_deleted", code: 409, description: "Consumer Deleted" });
    expect(Object.fromEntries(loop.notifications)).toEqual({ heartbeats_missed: 2, consumer_deleted: 1 });
    expect(seen).toEqual(["heartbeats_missed", "heartbeats_missed", "consumer_deleted"]);
  });
});

describe("buildSnapshot", () => {
  it("maps the window measure and percentiles onto the wire snapshot", () => {
    const snapshot = buildSnapshot({
      service: "unit",
      instanceId: "w1",
      pool: "test",
      tools: ["test.echo"],
      timeMs: 1000,
      limit: 4,
      minLimit: 1,
      maxLimit: 8,
      inFlight: 2,
      completed: 10,
      failed: 1,
      percentiles: { p50: 5, p99: 20 },
      cpuPercent: 12,
      memoryFraction: 0.25,
      rssBytes: 1e6,
      draining: false,
      level: "fixed",
      measure: { finished: 11, failed: 1, throughput: 5.5, meanMs: 7, errorRate: 0.09, quality: 1, saturation: 0.5, backlog: true },
    });
    expect(snapshot).toMatchObject({
      p50Ms: 5,
      p99Ms: 20,
      throughput: 5.5,
      meanMs: 7,
      errorRate: 0.09,
      quality: 1,
      saturation: 0.5,
      backlog: true,
      memoryFraction: 0.25,
      level: "fixed",
      draining: false,
    });
  });
});
