import { EventType, WorkflowState, type WorkflowEvent } from "@toolmesh/proto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { task, workflow } from "../support/spec.js";
import { startStack, testHandlers, type TestStack } from "../support/stack.js";

let stack: TestStack;
beforeAll(async () => {
  stack = await startStack();
  await stack.addWorker("test", testHandlers, { limit: 16 });
});
afterAll(async () => stack?.stop());

const agentTask = (id: string) => task(id, "agent.run", { goal: "nested", plan: { tasks: [{ id: "x", tool: "test.echo" }] } });

describe("sub-agent workflows (parent refs)", () => {
  it("a child's events appear in the parent's stream with parent ids and depth; the parent lists its children", async () => {
    const parent = await stack.client.submit(workflow("parent", [task("agent", "test.sleep", { ms: 1500 })]));
    const events: WorkflowEvent[] = [];
    const watching = (async () => {
      for await (const event of stack.client.watch(parent)) events.push(event);
    })();
    const child = await stack.client.submit(workflow("child", [task("c1", "test.echo", { value: 1 })], 0, { parent: { workflowId: parent, taskId: "agent" } }));
    await watching;
    const childEvents = events.filter((e) => e.workflowId === child);
    expect(childEvents.map((e) => e.type)).toContain(EventType.EVENT_TYPE_WORKFLOW_SUCCEEDED);
    expect(childEvents.every((e) => e.parentWorkflowId === parent && e.parentTaskId === "agent" && e.depth === 1)).toBe(true);
    // The watch ended on the parent's own end, not the child's.
    expect(events.at(-1)).toMatchObject({ workflowId: parent, type: EventType.EVENT_TYPE_WORKFLOW_SUCCEEDED });
    expect((await stack.client.get(parent)).children).toEqual([child]);
    expect((await stack.client.get(child)).parent).toEqual({ workflowId: parent, taskId: "agent" });
  });

  it("cancelling the root cancels the whole subtree at once", async () => {
    const root = await stack.client.submit(workflow("root", [task("agent", "test.sleep", { ms: 30_000 })]));
    const child = await stack.client.submit(workflow("child", [task("agent", "test.sleep", { ms: 30_000 })], 0, { parent: { workflowId: root, taskId: "agent" } }));
    const grandchild = await stack.client.submit(workflow("grandchild", [task("work", "test.sleep", { ms: 30_000 })], 0, { parent: { workflowId: child, taskId: "agent" } }));
    await new Promise((r) => setTimeout(r, 200));
    await stack.client.cancel(root, "user pressed ctrl-c");
    for (const id of [root, child, grandchild]) expect((await stack.client.get(id)).state).toBe(WorkflowState.WORKFLOW_STATE_CANCELLED);
    expect((await stack.client.get(grandchild)).error).toMatch(/parent .* cancelled/);
    // The sleeping calls were aborted in the worker, not left to run out.
    await expect.poll(() => stack.workers[0]!.limiter.inFlight, { timeout: 3000 }).toBe(0);
  });

  it("agents nest at most 3 deep: a depth-3 workflow may not start agent.run", async () => {
    let parent = await stack.client.submit(workflow("d0", [task("agent", "test.sleep", { ms: 5000 })]));
    for (const depth of [1, 2]) {
      parent = await stack.client.submit(workflow(`d${depth}`, [task("agent", "test.sleep", { ms: 5000 })], 0, { parent: { workflowId: parent, taskId: "agent" } }));
    }
    await expect(stack.client.submit(workflow("d3", [agentTask("deeper")], 0, { parent: { workflowId: parent, taskId: "agent" } }))).rejects.toThrow(
      /agents nest at most 3 deep/,
    );
    // Plain tool calls are still fine at that depth.
    const leaf = await stack.client.submit(workflow("d3-tools", [task("t", "test.echo", { value: 3 })], 0, { parent: { workflowId: parent, taskId: "agent" } }));
    expect((await stack.client.get(leaf)).parent?.workflowId).toBe(parent);
  });

  it("a parent that is not running is refused", async () => {
    await expect(stack.client.submit(workflow("orphan", [task("t", "test.echo", {})], 0, { parent: { workflowId: "nope", taskId: "x" } }))).rejects.toThrow(
      /parent.workflowId "nope" is not a running workflow/,
    );
  });
});
