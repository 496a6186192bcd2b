import { FanInMode, TaskState, WorkflowState, type TaskStatus, type Workflow } from "@toolmesh/proto";
import type { ToolHandlers } from "@toolmesh/runtime";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { task, workflow } from "../support/spec.js";
import { startStack, testHandlers, type TestStack } from "../support/stack.js";

let stack: TestStack;
/** How many times each test.echo value actually ran in a worker. */
const echoRuns = new Map<string, number>();
const counting: ToolHandlers = {
  ...testHandlers,
  "test.echo": async (args, ctx) => {
    const key = JSON.stringify(args.value ?? null);
    echoRuns.set(key, (echoRuns.get(key) ?? 0) + 1);
    return testHandlers["test.echo"]!(args, ctx);
  },
};

beforeAll(async () => {
  stack = await startStack();
  await stack.addWorker("test", counting, { limit: 32 });
});
afterAll(async () => stack?.stop());

const byId = (wf: Workflow, id: string): TaskStatus => wf.tasks.find((t) => t.id === id)!;
const fanIn = (mode: FanInMode, extra: { quorum?: number; deadlineMs?: number } = {}) => ({
  mode,
  quorum: extra.quorum ?? 0,
  deadlineMs: extra.deadlineMs ?? 0,
});

describe("fan-out", () => {
  it("maps a task over an upstream output's items, once per distinct item, args filled per item", async () => {
    const wf = await stack.client.run(
      workflow("map", [
        task("list", "test.echo", { value: { files: [{ path: "a.ts" }, { path: "b.ts" }, { path: "a.ts" }] } }),
        task(
          "each",
          "test.echo",
          { value: "seen {{item}} as #{{index}}" },
          { dependsOn: ["list"], forEach: { from: "list", items: "value.files[].path", maxItems: 0 } },
        ),
      ]),
    );
    expect(wf.state).toBe(WorkflowState.WORKFLOW_STATE_SUCCEEDED);
    const each = byId(wf, "each").output as {
      items: Array<{ index: number; item: string; output: { value: string } }>;
      succeeded: number;
      dropped: number;
    };
    expect(each.items.map((i) => i.output.value)).toEqual(["seen a.ts as #0", "seen b.ts as #1"]);
    expect(each.succeeded).toBe(2);
    expect(byId(wf, "each[1]").state).toBe(TaskState.TASK_STATE_SUCCEEDED);
  });

  it("caps the items at maxItems and counts the rest as dropped", async () => {
    const wf = await stack.client.run(
      workflow("cap", [
        task("list", "test.echo", { value: [1, 2, 3, 4, 5] }),
        task("each", "test.echo", { value: "{{item}}" }, { dependsOn: ["list"], forEach: { from: "list", items: "value", maxItems: 2 } }),
      ]),
    );
    expect(byId(wf, "each").output).toMatchObject({ succeeded: 2, dropped: 3 });
    expect((byId(wf, "each").output!.items as Array<{ output: { value: number } }>).map((i) => i.output.value)).toEqual([1, 2]);
  });

  it("refuses a fan-out that would exceed the workflow's maxCalls, with the numbers", async () => {
    const wf = await stack.client.run(
      workflow(
        "runaway",
        [
          task("list", "test.echo", { value: Array.from({ length: 20 }, (_, i) => i) }),
          task("each", "test.echo", { value: "{{item}}" }, { dependsOn: ["list"], forEach: { from: "list", items: "value", maxItems: 0 } }),
        ],
        0,
        { limits: { maxCalls: 5, maxConcurrency: 0 } },
      ),
    );
    expect(wf.state).toBe(WorkflowState.WORKFLOW_STATE_FAILED);
    expect(byId(wf, "each").error).toMatchObject({
      code: "RESOURCE_EXHAUSTED",
      message: expect.stringMatching(/21 calls; limits.maxCalls is 5/),
    });
  });

  it("an item that cannot be filled in fails that item with a clear reason", async () => {
    const wf = await stack.client.run(
      workflow("bad-path", [
        task("list", "test.echo", { value: { n: 3 } }),
        task(
          "each",
          "test.echo",
          { value: "{{item}}" },
          { dependsOn: ["list"], forEach: { from: "list", items: "value.missing", maxItems: 0 } },
        ),
      ]),
    );
    expect(byId(wf, "each").error?.message).toMatch(/forEach.items "value.missing"/);
  });
});

describe("fan-in modes", () => {
  it("ALL: a failed item fails the fan-out and what depends on it", async () => {
    const wf = await stack.client.run(
      workflow("all", [
        task("list", "test.echo", { value: ["INVALID_ARGUMENT", "NOT_FOUND"] }),
        task("each", "test.fail", { code: "{{item}}" }, { dependsOn: ["list"], forEach: { from: "list", items: "value", maxItems: 0 } }),
        task("after", "test.echo", { value: 1 }, { dependsOn: ["each"] }),
      ]),
    );
    expect(wf.state).toBe(WorkflowState.WORKFLOW_STATE_FAILED);
    expect(byId(wf, "each").state).toBe(TaskState.TASK_STATE_FAILED);
    expect(byId(wf, "after").error?.code).toBe("FAILED_PRECONDITION");
  });

  it("ALL_SETTLED: keeps the failures in the output and succeeds when any item did", async () => {
    const wf = await stack.client.run(
      workflow("settled", [
        task("list", "test.echo", { value: [10, -1, 20] }),
        task(
          "each",
          "test.sleep",
          { ms: "{{item}}" },
          { dependsOn: ["list"], forEach: { from: "list", items: "value", maxItems: 0 }, fanIn: fanIn(FanInMode.FAN_IN_MODE_ALL_SETTLED) },
        ),
      ]),
    );
    expect(wf.state).toBe(WorkflowState.WORKFLOW_STATE_SUCCEEDED);
    const out = byId(wf, "each").output as { items: Array<{ error?: { code: string } }>; succeeded: number; failed: number };
    expect(out).toMatchObject({ succeeded: 2, failed: 1 });
    expect(out.items[1]!.error?.code).toBe("INVALID_ARGUMENT");
  });

  it("FIRST_SUCCESS: the first item to succeed wins and the slow ones are cancelled in their workers", async () => {
    const started = Date.now();
    const wf = await stack.client.run(
      workflow("first", [
        task("list", "test.echo", { value: [30_000, 40, 30_001] }),
        task(
          "each",
          "test.sleep",
          { ms: "{{item}}", value: "{{item}}" },
          {
            dependsOn: ["list"],
            forEach: { from: "list", items: "value", maxItems: 0 },
            fanIn: fanIn(FanInMode.FAN_IN_MODE_FIRST_SUCCESS),
          },
        ),
      ]),
    );
    // Well before the slow items' 30 s.
    expect(Date.now() - started).toBeLessThan(25_000);
    expect(wf.state).toBe(WorkflowState.WORKFLOW_STATE_SUCCEEDED);
    expect(byId(wf, "each[1]").state).toBe(TaskState.TASK_STATE_SUCCEEDED);
    expect([byId(wf, "each[0]").state, byId(wf, "each[2]").state]).toEqual([
      TaskState.TASK_STATE_CANCELLED,
      TaskState.TASK_STATE_CANCELLED,
    ]);
    await expect.poll(() => stack.workers[0]!.limiter.inFlight, { timeout: 15_000 }).toBe(0);
  });

  it("QUORUM over dependencies: the dependant goes once k succeeded; a failed member is tolerated", async () => {
    const wf = await stack.client.run(
      workflow("quorum", [
        task("a", "test.sleep", { ms: 20 }),
        task("b", "test.fail", { code: "NOT_FOUND" }),
        task("c", "test.sleep", { ms: 60 }),
        task("slow", "test.sleep", { ms: 30_000 }),
        task(
          "join",
          "test.echo",
          { value: "ok" },
          { dependsOn: ["a", "b", "c", "slow"], fanIn: fanIn(FanInMode.FAN_IN_MODE_QUORUM, { quorum: 2 }) },
        ),
      ]),
    );
    expect(wf.state).toBe(WorkflowState.WORKFLOW_STATE_SUCCEEDED);
    expect(byId(wf, "join").state).toBe(TaskState.TASK_STATE_SUCCEEDED);
    expect(byId(wf, "slow").state).toBe(TaskState.TASK_STATE_CANCELLED);
    expect(byId(wf, "b").state).toBe(TaskState.TASK_STATE_FAILED);
  });

  it("QUORUM that can no longer be reached fails the dependant with the count", async () => {
    const wf = await stack.client.run(
      workflow("no-quorum", [
        task("a", "test.fail", { code: "NOT_FOUND" }),
        task("b", "test.fail", { code: "NOT_FOUND" }),
        task("c", "test.echo", { value: 1 }),
        task(
          "join",
          "test.echo",
          { value: "ok" },
          { dependsOn: ["a", "b", "c"], fanIn: fanIn(FanInMode.FAN_IN_MODE_QUORUM, { quorum: 2 }) },
        ),
      ]),
    );
    expect(wf.state).toBe(WorkflowState.WORKFLOW_STATE_FAILED);
    expect(byId(wf, "join").error?.message).toMatch(/quorum of 2 cannot be reached/);
  });

  it("DEADLINE: takes what is done by the deadline and cancels the rest", async () => {
    const started = Date.now();
    // The deadline leaves the two quick items seconds to finish on a busy machine; the third needs a minute.
    const wf = await stack.client.run(
      workflow("deadline", [
        task("list", "test.echo", { value: [10, 20, 60_000] }),
        task(
          "each",
          "test.sleep",
          { ms: "{{item}}" },
          {
            dependsOn: ["list"],
            forEach: { from: "list", items: "value", maxItems: 0 },
            fanIn: fanIn(FanInMode.FAN_IN_MODE_DEADLINE, { deadlineMs: 3000 }),
          },
        ),
      ]),
    );
    expect(Date.now() - started).toBeLessThan(30_000);
    expect(wf.state).toBe(WorkflowState.WORKFLOW_STATE_SUCCEEDED);
    expect(byId(wf, "each").output).toMatchObject({ succeeded: 2, cancelled: 1 });
  });
});

describe("arguments from dependencies", () => {
  it("{{tasks.<id>.field}} fills in a dependency's output, keeping its type", async () => {
    const wf = await stack.client.run(
      workflow("refs", [
        task("a", "test.echo", { value: { ms: 15, label: "fifteen" } }),
        task("b", "test.sleep", { ms: "{{tasks.a.value.ms}}", value: "slept {{tasks.a.value.label}}" }, { dependsOn: ["a"] }),
      ]),
    );
    expect(byId(wf, "b").output).toEqual({ sleptMs: 15, value: "slept fifteen" });
  });

  it("refuses a reference to a task that is not a dependency", async () => {
    await expect(
      stack.client.submit(workflow("bad-ref", [task("a", "test.echo", {}), task("b", "test.echo", { value: "{{tasks.a.value}}" })])),
    ).rejects.toThrow(/must be in its dependsOn/);
  });
});

describe("identical calls", () => {
  it("run once within a workflow; the others share the result and say from where", async () => {
    const wf = await stack.client.run(
      workflow("dupes", [
        task("one", "test.echo", { value: "dup-within" }),
        task("two", "test.echo", { value: "dup-within" }),
        task("three", "test.echo", { value: "dup-within" }, { dependsOn: ["one"] }),
      ]),
    );
    expect(wf.state).toBe(WorkflowState.WORKFLOW_STATE_SUCCEEDED);
    expect(echoRuns.get('"dup-within"')).toBe(1);
    expect(wf.tasks.map((t) => t.output?.value)).toEqual(["dup-within", "dup-within", "dup-within"]);
    expect(
      wf.tasks
        .filter((t) => t.sharedFrom === "one")
        .map((t) => t.id)
        .sort(),
    ).toEqual(["three", "two"]);
  });

  it("tools with side effects are never shared", async () => {
    const wf = await stack.client.run(workflow("sleeps", [task("x", "test.sleep", { ms: 5 }), task("y", "test.sleep", { ms: 5 })]));
    expect(wf.tasks.every((t) => t.sharedFrom === "")).toBe(true);
  });
});
