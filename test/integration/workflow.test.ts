import { status } from "@grpc/grpc-js";
import { EventType, TaskState, WorkflowState, type WorkflowEvent } from "@toolmesh/proto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { heldCalls } from "../support/held-calls.js";
import { task, workflow } from "../support/spec.js";
import { startStack, type TestStack } from "../support/stack.js";

let stack: TestStack;
const calls = heldCalls();

beforeAll(async () => {
  stack = await startStack();
  await stack.addWorker("test", calls.handlers, { limit: 16, maxOutputBytes: 4 * 1024 * 1024 });
});
afterAll(async () => stack?.stop());

async function collect(id: string, onEvent?: (event: WorkflowEvent) => void): Promise<WorkflowEvent[]> {
  const events: WorkflowEvent[] = [];
  for await (const event of stack.client.watch(id)) {
    events.push(event);
    onEvent?.(event);
  }
  return events;
}

describe("workflows over real gRPC and a real nats-server", () => {
  it("submit → watch → get returns every task's output", async () => {
    const id = await stack.client.submit(
      workflow("echo", [task("a", "test.echo", { value: 1 }), task("b", "test.echo", { value: "two" })]),
    );
    const events = await collect(id);
    expect(events.at(-1)?.type).toBe(EventType.EVENT_TYPE_WORKFLOW_SUCCEEDED);
    expect(
      events
        .filter((e) => e.type === EventType.EVENT_TYPE_TASK_SUCCEEDED)
        .map((e) => e.taskId)
        .sort(),
    ).toEqual(["a", "b"]);
    const wf = await stack.client.get(id);
    expect(wf.state).toBe(WorkflowState.WORKFLOW_STATE_SUCCEEDED);
    const outputs = Object.fromEntries(wf.tasks.map((t) => [t.id, t.output?.value]));
    expect(outputs).toEqual({ a: 1, b: "two" });
    // Event sequences increase: a late watcher replays the same history in order.
    const replay = await collect(id);
    expect(replay.map((e) => e.sequence)).toEqual(events.map((e) => e.sequence));
  });

  it("runs the DAG in dependency order", async () => {
    const spec = workflow("dag", [
      task("root", "test.sleep", { ms: 50 }),
      // left runs until right has finished: only if the two run side by side does the workflow end.
      task("left", "test.sleep", { ms: 0, value: "hold:left" }, { dependsOn: ["root"] }),
      task("right", "test.sleep", { ms: 10 }, { dependsOn: ["root"] }),
      task("join", "test.echo", { value: "done" }, { dependsOn: ["left", "right"] }),
    ]);
    const id = await stack.client.submit(spec);
    const events = await collect(id, (event) => {
      if (event.type === EventType.EVENT_TYPE_TASK_SUCCEEDED && event.taskId === "right") calls.release("hold:left");
    });
    const order = (type: EventType) => events.filter((e) => e.type === type).map((e) => e.taskId);
    const queued = order(EventType.EVENT_TYPE_TASK_QUEUED);
    const succeeded = order(EventType.EVENT_TYPE_TASK_SUCCEEDED);
    expect(queued[0]).toBe("root");
    expect(queued.at(-1)).toBe("join");
    // Each task is queued only after all its dependencies succeeded.
    const at = (list: WorkflowEvent[], type: EventType, id: string) => list.findIndex((e) => e.type === type && e.taskId === id);
    for (const [child, parents] of [
      ["left", ["root"]],
      ["right", ["root"]],
      ["join", ["left", "right"]],
    ] as const) {
      for (const parent of parents) {
        expect(at(events, EventType.EVENT_TYPE_TASK_SUCCEEDED, parent)).toBeLessThan(at(events, EventType.EVENT_TYPE_TASK_QUEUED, child));
      }
    }
    expect(succeeded).toHaveLength(4);
    // left and right ran side by side: right finished while left was running.
    expect(succeeded.indexOf("right")).toBeLessThan(succeeded.indexOf("left"));
  });

  it("a failed task fails its dependants with a clear reason, independent branches still run", async () => {
    const wf = await stack.client.run(
      workflow("fail", [
        task("bad", "test.fail", { code: "PERMISSION_DENIED", message: "no entry" }),
        task("child", "test.echo", {}, { dependsOn: ["bad"] }),
        task("grandchild", "test.echo", {}, { dependsOn: ["child"] }),
        task("other", "test.echo", { value: 3 }),
      ]),
    );
    expect(wf.state).toBe(WorkflowState.WORKFLOW_STATE_FAILED);
    const byId = Object.fromEntries(wf.tasks.map((t) => [t.id, t]));
    expect(byId.bad?.state).toBe(TaskState.TASK_STATE_FAILED);
    expect(byId.bad?.error).toMatchObject({ code: "PERMISSION_DENIED", message: "no entry" });
    expect(byId.child?.error?.message).toBe('dependency "bad" did not succeed');
    expect(byId.grandchild?.error?.message).toBe('dependency "child" did not succeed');
    expect(byId.child?.attempt).toBe(0);
    expect(byId.other?.state).toBe(TaskState.TASK_STATE_SUCCEEDED);
  });

  it("times out a task that runs past its timeout", async () => {
    const started = Date.now();
    const wf = await stack.client.run(workflow("timeout", [task("slow", "test.sleep", { ms: 60_000 }, { timeoutMs: 300 })]));
    // Well before the call's own minute, however busy the machine.
    expect(Date.now() - started).toBeLessThan(30_000);
    expect(wf.state).toBe(WorkflowState.WORKFLOW_STATE_FAILED);
    expect(wf.tasks[0]?.error?.code).toBe("DEADLINE_EXCEEDED");
  });

  it("a tool that ignores its abort signal still times out and frees its slot", async () => {
    const before = stack.workers[0]!.limiter.inFlight;
    const wf = await stack.client.run(
      workflow("stubborn", [task("stuck", "test.sleep", { ms: 20_000, ignoreSignal: true }, { timeoutMs: 300 })]),
    );
    expect(wf.tasks[0]?.error?.code).toBe("DEADLINE_EXCEEDED");
    await expect.poll(() => stack.workers[0]!.limiter.inFlight, { timeout: 15_000 }).toBe(before);
  });

  it("retries a retryable failure with backoff until it succeeds", async () => {
    const events: WorkflowEvent[] = [];
    const wf = await stack.client.run(
      workflow("retry", [
        task(
          "flaky",
          "test.fail",
          { code: "UNAVAILABLE", succeedOnAttempt: 3 },
          { retry: { maxAttempts: 4, initialBackoffMs: 20, backoffMultiplier: 2, maxBackoffMs: 100 } },
        ),
      ]),
      (e) => events.push(e),
    );
    expect(wf.state).toBe(WorkflowState.WORKFLOW_STATE_SUCCEEDED);
    expect(wf.tasks[0]?.attempt).toBe(3);
    expect(wf.tasks[0]?.output).toEqual({ attempt: 3 });
    expect(events.filter((e) => e.type === EventType.EVENT_TYPE_TASK_RETRYING)).toHaveLength(2);
  });

  it("does not retry a non-retryable failure", async () => {
    const wf = await stack.client.run(
      workflow("no-retry", [
        task(
          "denied",
          "test.fail",
          { code: "INVALID_ARGUMENT" },
          { retry: { maxAttempts: 5, initialBackoffMs: 10, backoffMultiplier: 2, maxBackoffMs: 50 } },
        ),
      ]),
    );
    expect(wf.tasks[0]?.attempt).toBe(1);
    expect(wf.tasks[0]?.state).toBe(TaskState.TASK_STATE_FAILED);
  });

  it("cancels a whole workflow: running tasks are aborted, pending ones never start", async () => {
    const id = await stack.client.submit(
      workflow("cancel", [task("long", "test.sleep", { ms: 60_000 }), task("after", "test.echo", {}, { dependsOn: ["long"] })]),
    );
    const events: WorkflowEvent[] = [];
    for await (const event of stack.client.watch(id)) {
      events.push(event);
      if (event.type === EventType.EVENT_TYPE_TASK_STARTED) await stack.client.cancel(id, "test says stop");
    }
    expect(events.at(-1)?.type).toBe(EventType.EVENT_TYPE_WORKFLOW_CANCELLED);
    const wf = await stack.client.get(id);
    expect(wf.tasks.map((t) => t.state)).toEqual([TaskState.TASK_STATE_CANCELLED, TaskState.TASK_STATE_CANCELLED]);
    // The worker's slot is freed: the abort reached the running handler.
    await expect.poll(() => stack.workers[0]!.limiter.inFlight, { timeout: 15_000 }).toBe(0);
  });

  it("CallTool runs one call and maps a tool failure to its gRPC status", async () => {
    const ok = await stack.client.call({ tool: "test.echo", args: { value: { nested: [1, 2] } } });
    expect(ok.output).toEqual({ value: { nested: [1, 2] } });
    await expect(stack.client.call({ tool: "test.fail", args: { code: "NOT_FOUND", message: "nope" } })).rejects.toMatchObject({
      code: status.NOT_FOUND,
      details: "test.fail: nope",
    });
  });

  it("CallTools answers many calls over one stream, each matched to its request, failures per call", async () => {
    const session = stack.client.session();
    const slow = session.call({ tool: "test.sleep", args: { ms: 300, value: "slow" } });
    const fast = await Promise.all(Array.from({ length: 50 }, (_, i) => session.call({ tool: "test.echo", args: { value: i } })));
    expect(fast.map((r) => r.output?.value)).toEqual([...Array(50).keys()]);
    await expect(session.call({ tool: "test.fail", args: { code: "PERMISSION_DENIED", message: "no" } })).rejects.toMatchObject({
      code: status.PERMISSION_DENIED,
      details: "test.fail: no",
    });
    await expect(session.call({ tool: "nope.tool" })).rejects.toMatchObject({ code: status.INVALID_ARGUMENT });
    // The slow call was sent first and answered last: responses are not in order.
    expect((await slow).output).toEqual({ sleptMs: 300, value: "slow" });
    await session.close();
    await expect(session.call({ tool: "test.echo" })).rejects.toMatchObject({ code: status.UNAVAILABLE });
  });

  it("an output too large for a NATS message travels through the object store; one over the cap is a clear RESOURCE_EXHAUSTED", async () => {
    const big = await stack.client.call({ tool: "test.echo", args: { value: "big", padBytes: 2 * 1024 * 1024 } });
    expect(big.output).toMatchObject({ value: "big" });
    expect(String(big.output?.pad).length).toBe(2 * 1024 * 1024);
    // In a workflow, GetWorkflow gives a reference and GetTaskOutput the output.
    const wf = await stack.client.run(workflow("big", [task("b", "test.echo", { value: "ref", padBytes: 1024 * 1024 })]));
    expect(wf.tasks[0]!.output).toMatchObject({ $ref: expect.stringContaining(`${wf.id}/b/1`), bytes: expect.any(Number) });
    expect(await stack.client.taskOutput(wf.id, "b")).toMatchObject({ value: "ref", pad: expect.stringMatching(/^x{1048576}$/) });

    const started = Date.now();
    await expect(stack.client.call({ tool: "test.echo", args: { padBytes: 5 * 1024 * 1024 } })).rejects.toMatchObject({
      code: status.RESOURCE_EXHAUSTED,
      details: expect.stringMatching(/output is \d+ bytes; a result can be at most 4194304 bytes: ask for less/),
    });
    expect(Date.now() - started).toBeLessThan(20_000);
    // Arguments too large for a task message fail the same way, before any worker sees them.
    await expect(stack.client.call({ tool: "test.echo", args: { value: "y".repeat(1_100_000) } })).rejects.toMatchObject({
      code: status.RESOURCE_EXHAUSTED,
      details: expect.stringMatching(/task's arguments take \d+ bytes/),
    });
  });

  it("GetCapacity reports the live pool with its limit", async () => {
    await expect
      .poll(async () => (await stack.client.capacity()).pools.find((p) => p.pool === "test"), { timeout: 30_000 })
      .toMatchObject({ pool: "test", limit: 16, instances: 1, tools: ["test.echo", "test.fail", "test.sleep"] });
  });
});
