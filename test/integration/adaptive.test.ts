import { Kvm } from "@nats-io/kv";
import {
  Subjects,
  createRegistry,
  decodeJson,
  ErrorCode,
  ToolError,
  type CommandReply,
  type LimitChangeEvent,
  type MetricsSnapshot,
} from "@toolmesh/core";
import { LIMITS_BUCKET, type ToolHandlers, type Worker } from "@toolmesh/runtime";
import { testHandlers } from "@toolmesh/testpool";
import { TaskState } from "@toolmesh/proto";
import { SEED_THRESHOLDS } from "@toolmesh/scaling";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { askBus } from "../support/command-bus.js";
import { task, workflow } from "../support/spec.js";
import { startStack, type TestStack } from "../support/stack.js";

/**
 * A worker with adaptive concurrency on a real stack, in front of a
 * backend that has room for CAPACITY calls at once: beyond it calls slow
 * down, and past 1.5× it they fail. The limit must come down out of the
 * failing region by itself, say why, and be remembered for the next start.
 */
const CAPACITY = 6;
let running = 0;
const overloaded: ToolHandlers = {
  ...testHandlers,
  "test.sleep": async (args, ctx) => {
    running += 1;
    try {
      if (running > CAPACITY * 1.5) throw new ToolError(ErrorCode.UNAVAILABLE, "backend overloaded");
      await new Promise((resolve) => setTimeout(resolve, Number(args.ms) * Math.max(1, running / CAPACITY)));
      ctx.quality(1);
      return { sleptMs: args.ms };
    } finally {
      running -= 1;
    }
  },
};

let stack: TestStack;
beforeAll(async () => {
  stack = await startStack();
});
afterAll(async () => stack?.stop());

function limitEvents(): { events: LimitChangeEvent[]; stop(): void } {
  const events: LimitChangeEvent[] = [];
  const sub = stack.nc.subscribe(Subjects.poolLimitEvent("test"), {
    callback: (_err, msg) => events.push(decodeJson<LimitChangeEvent>(msg.data)),
  });
  return { events, stop: () => sub.unsubscribe() };
}

async function addAdaptiveWorker(): Promise<Worker> {
  // The machine's own CPU and memory (busy with the rest of the suite) are not what this test is about.
  const thresholds = { ...SEED_THRESHOLDS, cpuPercent: 1000, memoryFraction: 10 };
  return stack.addWorker("test", overloaded, {
    limit: 1,
    adaptive: { range: { min: 2, max: 24 }, thresholds },
    registry: createRegistry("adaptive"),
  });
}

describe("adaptive concurrency in a worker", () => {
  it("an overloaded backend pulls the limit down with a reason, and the limit is remembered in KV", async () => {
    const worker = await addAdaptiveWorker();
    // Learned from a previous run? Not on a fresh server: it starts at the range's minimum.
    expect(worker.limiter.limit).toBe(2);
    const watch = limitEvents();
    // Start it high, as if an operator had, then hand control back to the policy.
    const [reply] = await askSetLimit({ limit: 24 });
    expect(reply?.detail).toBe("limit=24");
    expect(worker.adaptive?.pinned).toBe(true);
    expect((await askSetLimit({ limit: 0, adaptive: true }))[0]?.detail).toBe("limit=24 adaptive");

    const wf = stack.client.run(
      workflow(
        "load",
        Array.from({ length: 300 }, (_, i) =>
          task(
            `t${i}`,
            "test.sleep",
            { ms: 20 },
            { retry: { maxAttempts: 8, initialBackoffMs: 200, backoffMultiplier: 2, maxBackoffMs: 2000 } },
          ),
        ),
      ),
    );
    await expect.poll(() => worker.limiter.limit, { timeout: 60_000, interval: 100 }).toBeLessThanOrEqual(CAPACITY * 1.5);
    // Calls turned away by the overloaded backend were retried; once the limit came down they got through.
    const done = await wf;
    expect(done.tasks.filter((t) => t.state === TaskState.TASK_STATE_SUCCEEDED).length).toBeGreaterThanOrEqual(295);
    watch.stop();
    const down = watch.events.find((e) => e.limit < e.previousLimit);
    expect(down).toMatchObject({ kind: "pool.limit", pool: "test", instanceId: worker.instanceId });
    expect(down?.reason).toMatch(/^(step down: error rate \d+\.\d % ≥ 5\.0 %|gradient: latency)/);

    // What it learned is in KV and is where the next instance starts.
    const kv = await new Kvm(stack.nc).open(LIMITS_BUCKET);
    await expect
      .poll(async () => decodeJson<{ limit: number; tools: Record<string, number> }>((await kv.get("test"))!.value).limit, {
        timeout: 30_000,
      })
      .toBeLessThanOrEqual(CAPACITY * 1.5);
    // The worker keeps learning until it is drained: read what it left only then.
    await worker.drain(1000);
    stack.workers.splice(stack.workers.indexOf(worker), 1);
    const stored = async () => decodeJson<{ limit: number; tools: Record<string, number> }>((await kv.get("test"))!.value);
    const learned = await stored();
    expect(learned.tools["test.sleep"]).toBeGreaterThan(0);
    const next = await addAdaptiveWorker();
    // A save the drained worker had in flight may land just after that read; the next worker starts from either.
    expect([Math.max(2, learned.limit), Math.max(2, (await stored()).limit)]).toContain(next.limiter.limit);
    await next.drain(1000);
    stack.workers.splice(stack.workers.indexOf(next), 1);
  }, 120_000);

  it("the metrics bus carries the level and the window's measurements", async () => {
    const worker = await addAdaptiveWorker();
    const snapshot = await new Promise<MetricsSnapshot>((resolve) => {
      const sub = stack.nc.subscribe(Subjects.allMetrics, {
        callback: (_err, msg) => {
          const s = decodeJson<MetricsSnapshot>(msg.data);
          if (s.pool !== "test") return;
          sub.unsubscribe();
          resolve(s);
        },
      });
    });
    expect(["initial", "moderate", "aggressive", "maximum"]).toContain(snapshot.level);
    expect(snapshot).toMatchObject({
      throughput: expect.any(Number),
      errorRate: expect.any(Number),
      saturation: expect.any(Number),
      memoryFraction: expect.any(Number),
    });
    expect(snapshot.cpuPercent).toBeGreaterThanOrEqual(0);
    expect(snapshot.cpuPercent).toBeLessThanOrEqual(100);
    await worker.drain(1000);
    stack.workers.splice(stack.workers.indexOf(worker), 1);
  });
});

function askSetLimit(payload: unknown): Promise<CommandReply[]> {
  return askBus(stack.nc, Subjects.setLimit("test"), payload, { count: 1 });
}
