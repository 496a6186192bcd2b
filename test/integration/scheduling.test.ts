import { TaskState, WorkflowState } from "@toolmesh/proto";
import type { ToolHandlers } from "@toolmesh/runtime";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { heldCalls } from "../support/held-calls.js";
import { task, workflow } from "../support/spec.js";
import { startStack, type TestStack } from "../support/stack.js";

let stack: TestStack;
/** Finish order of test.sleep calls (by their value), and the most that ran at once per workflow. */
const finished: string[] = [];
let running = 0;
let mostRunning = 0;
const calls = heldCalls();
const recording: ToolHandlers = {
  ...calls.handlers,
  "test.sleep": async (args, ctx) => {
    running += 1;
    mostRunning = Math.max(mostRunning, running);
    try {
      return await calls.handlers["test.sleep"]!(args, ctx);
    } finally {
      running -= 1;
      finished.push(String(args.value));
    }
  },
};

beforeAll(async () => {
  // Results of side-effect-free calls are shared across workflows for a minute here.
  stack = await startStack({ TOOLMESH_SHARE_TTL_MS: "60000" });
});
afterAll(async () => stack?.stop());

describe("scheduling between workflows", () => {
  it("a higher-priority workflow's tasks overtake a busy pool's waiting low-priority ones", async () => {
    const worker = await stack.addWorker("test", recording, { limit: 1 });
    // The coordinator sizes the pool's window from the worker's metrics snapshot.
    await expect.poll(async () => (await stack.client.capacity()).pools.find((p) => p.pool === "test")?.limit, { timeout: 30_000 }).toBe(1);
    finished.length = 0;
    // The low tasks hold the pool until the high-priority workflow is waiting behind them.
    const lows = Array.from({ length: 8 }, (_, i) => `hold:low${i}`);
    const low = await stack.client.submit(
      workflow(
        "low",
        lows.map((value, i) => task(`l${i}`, "test.sleep", { ms: 0, value })),
        0,
        { priority: 1 },
      ),
    );
    await expect.poll(() => calls.running.size, { timeout: 30_000 }).toBe(1);
    const high = await stack.client.submit(
      workflow("high", [task("h0", "test.sleep", { ms: 10, value: "high0" }), task("h1", "test.sleep", { ms: 10, value: "high1" })], 0, {
        priority: 9,
      }),
    );
    await expect
      .poll(async () => (await stack.client.get(high)).tasks.map((t) => t.state), { timeout: 30_000 })
      .toEqual([TaskState.TASK_STATE_QUEUED, TaskState.TASK_STATE_QUEUED]);
    for (const value of lows) calls.release(value);
    for await (const _ of stack.client.watch(high)) void _;
    for await (const _ of stack.client.watch(low)) void _;
    // At most the pool's window (2 × limit 1) of low tasks were ahead; FIFO would have run all 8 first.
    expect(finished.indexOf("high1")).toBeLessThanOrEqual(4);
    expect(finished.filter((v) => v.startsWith("hold:low"))).toHaveLength(8);
    await worker.drain(1000);
    stack.workers.splice(stack.workers.indexOf(worker), 1);
  });

  it("maxConcurrency caps how many of a workflow's calls run at once", async () => {
    const worker = await stack.addWorker("test", recording, { limit: 16 });
    mostRunning = 0;
    const wf = await stack.client.run(
      workflow(
        "capped",
        Array.from({ length: 8 }, (_, i) => task(`s${i}`, "test.sleep", { ms: 60, value: `c${i}` })),
        0,
        {
          limits: { maxConcurrency: 2, maxCalls: 0 },
        },
      ),
    );
    expect(wf.state).toBe(WorkflowState.WORKFLOW_STATE_SUCCEEDED);
    expect(mostRunning).toBe(2);
    await worker.drain(1000);
    stack.workers.splice(stack.workers.indexOf(worker), 1);
  });

  it("with TOOLMESH_SHARE_TTL_MS, an identical side-effect-free call in another workflow reuses the result", async () => {
    await stack.addWorker("test", recording, { limit: 4 });
    const first = await stack.client.run(workflow("first", [task("e", "test.echo", { value: "across" })]));
    const second = await stack.client.run(workflow("second", [task("e", "test.echo", { value: "across" })]));
    expect(first.tasks[0]!.sharedFrom).toBe("");
    expect(second.tasks[0]!.sharedFrom).toBe("cache");
    expect(second.tasks[0]!.output).toEqual({ value: "across" });
  });

  it("a spec with more direct calls than limits.maxCalls is refused up front", async () => {
    await expect(
      stack.client.submit(
        workflow("too-many", [task("a", "test.echo", {}), task("b", "test.echo", { value: 1 })], 0, {
          limits: { maxCalls: 1, maxConcurrency: 0 },
        }),
      ),
    ).rejects.toThrow(/2 calls; limits.maxCalls is 1/);
  });
});
