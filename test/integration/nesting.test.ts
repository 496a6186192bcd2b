import { EventType, WorkflowState, type WorkflowEvent } from "@toolmesh/proto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { heldCalls } from "../support/held-calls.js";
import { task, workflow } from "../support/spec.js";
import { startStack, type TestStack } from "../support/stack.js";

let stack: TestStack;
const calls = heldCalls();
beforeAll(async () => {
  stack = await startStack();
  await stack.addWorker("test", calls.handlers, { limit: 16 });
});
afterAll(async () => stack?.stop());

const agentTask = (id: string) => task(id, "agent.run", { goal: "nested", plan: { tasks: [{ id: "x", tool: "test.echo" }] } });
/** A stand-in for an agent's task: it runs until the test releases it or it is cancelled. */
const held = (id: string, value: string) => task(id, "test.sleep", { ms: 60_000, value: `hold:${value}` });

describe("sub-agent workflows (parent refs)", () => {
  it("a child's events appear in the parent's stream with parent ids and depth; the parent lists its children", async () => {
    const parent = await stack.client.submit(workflow("parent", [held("agent", "parent")]));
    const events: WorkflowEvent[] = [];
    let child = "";
    // The parent's own task ends only once the child has finished, as an agent's would.
    const releaseOnceChildDone = (): void => {
      if (child && events.some((e) => e.workflowId === child && e.type === EventType.EVENT_TYPE_WORKFLOW_SUCCEEDED)) calls.release("hold:parent");
    };
    const watching = (async () => {
      for await (const event of stack.client.watch(parent)) {
        events.push(event);
        releaseOnceChildDone();
      }
    })();
    child = await stack.client.submit(workflow("child", [task("c1", "test.echo", { value: 1 })], 0, { parent: { workflowId: parent, taskId: "agent" } }));
    releaseOnceChildDone();
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
    const root = await stack.client.submit(workflow("root", [held("agent", "cancel-root")]));
    const child = await stack.client.submit(workflow("child", [held("agent", "cancel-child")], 0, { parent: { workflowId: root, taskId: "agent" } }));
    const grandchild = await stack.client.submit(workflow("grandchild", [held("work", "cancel-grandchild")], 0, { parent: { workflowId: child, taskId: "agent" } }));
    const mine = ["hold:cancel-root", "hold:cancel-child", "hold:cancel-grandchild"];
    // All three calls are running in the worker before the cancel.
    await expect.poll(() => mine.filter((v) => calls.running.has(v)), { timeout: 30_000 }).toEqual(mine);
    await stack.client.cancel(root, "user pressed ctrl-c");
    for (const id of [root, child, grandchild]) expect((await stack.client.get(id)).state).toBe(WorkflowState.WORKFLOW_STATE_CANCELLED);
    expect((await stack.client.get(grandchild)).error).toMatch(/parent .* cancelled/);
    // The running calls were aborted in the worker, not left to run out.
    await expect.poll(() => mine.filter((v) => calls.running.has(v)), { timeout: 15_000 }).toEqual([]);
    expect(mine.filter((v) => calls.aborted.has(v))).toEqual(mine);
  });

  it("agents nest at most 3 deep: a depth-3 workflow may not start agent.run", async () => {
    const root = await stack.client.submit(workflow("d0", [held("agent", "d0")]));
    let parent = root;
    for (const depth of [1, 2]) {
      parent = await stack.client.submit(workflow(`d${depth}`, [held("agent", `d${depth}`)], 0, { parent: { workflowId: parent, taskId: "agent" } }));
    }
    await expect(stack.client.submit(workflow("d3", [agentTask("deeper")], 0, { parent: { workflowId: parent, taskId: "agent" } }))).rejects.toThrow(
      /agents nest at most 3 deep/,
    );
    // Plain tool calls are still fine at that depth.
    const leaf = await stack.client.submit(workflow("d3-tools", [task("t", "test.echo", { value: 3 })], 0, { parent: { workflowId: parent, taskId: "agent" } }));
    expect((await stack.client.get(leaf)).parent?.workflowId).toBe(parent);
    await stack.client.cancel(root, "done");
  });

  it("a parent that is not running is refused", async () => {
    await expect(stack.client.submit(workflow("orphan", [task("t", "test.echo", {})], 0, { parent: { workflowId: "nope", taskId: "x" } }))).rejects.toThrow(
      /parent.workflowId "nope" is not a running workflow/,
    );
  });
});
