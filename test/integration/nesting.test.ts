import { status } from "@grpc/grpc-js";
import { connect } from "@nats-io/transport-node";
import { ToolmeshClient } from "@toolmesh/client";
import { coordinatorConfigSchema, startCoordinator } from "@toolmesh/coordinator";
import { createLogger, loadConfig } from "@toolmesh/core";
import { EventType, WorkflowState, type ParentRef, type WorkflowEvent } from "@toolmesh/proto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { heldCalls } from "../support/held-calls.js";
import { partitionOfId } from "../support/partitions.js";
import { task, workflow } from "../support/spec.js";
import { startStack, type TestStack } from "../support/stack.js";

let stack: TestStack;
const calls = heldCalls();
/** The capability each stand-in agent's attempt got in its task message, by workflow id. */
const capabilities = new Map<string, string>();
beforeAll(async () => {
  stack = await startStack();
  await stack.addWorker("test", calls.handlers, { limit: 16 });
  // A stand-in agent.run: holds like test.sleep until released, keeping the capability the coordinator minted.
  await stack.addWorker("agent", {
    "agent.run": async (args, ctx) => {
      if (ctx.capability) capabilities.set(ctx.workflowId, ctx.capability);
      return calls.handlers["test.sleep"]!({ ms: 60_000, value: String(args.goal) }, ctx);
    },
  });
});
afterAll(async () => stack?.stop());

const agentTask = (id: string) => task(id, "agent.run", { goal: "nested", plan: { tasks: [{ id: "x", tool: "test.echo" }] } });
/** A stand-in for an agent's task: an agent.run that runs until the test releases it or it is cancelled. */
const held = (id: string, value: string) =>
  task(id, "agent.run", { goal: `hold:${value}`, plan: { tasks: [{ id: "x", tool: "test.echo" }] } });
/** A plain held call (no agent). */
const heldCall = (id: string, value: string) => task(id, "test.sleep", { ms: 60_000, value: `hold:${value}` });

/** The ParentRef the running stand-in agent of `workflowId` (task "agent") would send: with its capability. */
async function parentRef(workflowId: string): Promise<ParentRef> {
  await expect.poll(() => capabilities.get(workflowId), { timeout: 30_000 }).toBeTruthy();
  return { workflowId, taskId: "agent", capability: capabilities.get(workflowId)! };
}

describe("sub-agent workflows (parent refs)", () => {
  it("a child's events appear in the parent's stream with parent ids and depth; the parent lists its children", async () => {
    const parent = await stack.client.submit(workflow("parent", [held("agent", "parent")]));
    const events: WorkflowEvent[] = [];
    let child = "";
    // The parent's own task ends only once the child has finished, as an agent's would.
    const releaseOnceChildDone = (): void => {
      if (child && events.some((e) => e.workflowId === child && e.type === EventType.EVENT_TYPE_WORKFLOW_SUCCEEDED))
        calls.release("hold:parent");
    };
    const watching = (async () => {
      for await (const event of stack.client.watch(parent)) {
        events.push(event);
        releaseOnceChildDone();
      }
    })();
    child = await stack.client.submit(workflow("child", [task("c1", "test.echo", { value: 1 })], 0, { parent: await parentRef(parent) }));
    releaseOnceChildDone();
    await watching;
    const childEvents = events.filter((e) => e.workflowId === child);
    expect(childEvents.map((e) => e.type)).toContain(EventType.EVENT_TYPE_WORKFLOW_SUCCEEDED);
    expect(childEvents.every((e) => e.parentWorkflowId === parent && e.parentTaskId === "agent" && e.depth === 1)).toBe(true);
    // The watch ended on the parent's own end, not the child's.
    expect(events.at(-1)).toMatchObject({ workflowId: parent, type: EventType.EVENT_TYPE_WORKFLOW_SUCCEEDED });
    expect((await stack.client.get(parent)).children).toEqual([child]);
    // The capability is never handed out again.
    expect((await stack.client.get(child)).parent).toEqual({ workflowId: parent, taskId: "agent", capability: "" });
  });

  it("cancelling the root cancels the whole subtree at once", async () => {
    const root = await stack.client.submit(workflow("root", [held("agent", "cancel-root")]));
    const child = await stack.client.submit(workflow("child", [held("agent", "cancel-child")], 0, { parent: await parentRef(root) }));
    const grandchild = await stack.client.submit(
      workflow("grandchild", [heldCall("work", "cancel-grandchild")], 0, { parent: await parentRef(child) }),
    );
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
      parent = await stack.client.submit(workflow(`d${depth}`, [held("agent", `d${depth}`)], 0, { parent: await parentRef(parent) }));
    }
    await expect(stack.client.submit(workflow("d3", [agentTask("deeper")], 0, { parent: await parentRef(parent) }))).rejects.toThrow(
      /agents nest at most 3 deep/,
    );
    // Plain tool calls are still fine at that depth.
    const leaf = await stack.client.submit(
      workflow("d3-tools", [task("t", "test.echo", { value: 3 })], 0, { parent: await parentRef(parent) }),
    );
    expect((await stack.client.get(leaf)).parent?.workflowId).toBe(parent);
    await stack.client.cancel(root, "done");
  });

  it("only the running agent.run attempt may attach a child: a missing or forged capability, or a task that is no agent, is PERMISSION_DENIED", async () => {
    const root = await stack.client.submit(workflow("owner", [held("agent", "owner"), heldCall("plain", "owner-plain")]));
    const real = await parentRef(root);
    const child = (parent: ParentRef) => stack.client.submit(workflow("intruder", [task("t", "test.echo", { value: 1 })], 0, { parent }));
    await expect(child({ ...real, capability: "" })).rejects.toMatchObject({
      code: status.PERMISSION_DENIED,
      details: expect.stringMatching(/^parent.capability is missing/),
    });
    await expect(child({ ...real, capability: `${real.capability.slice(0, -1)}x` })).rejects.toMatchObject({
      code: status.PERMISSION_DENIED,
      details: expect.stringMatching(/^parent.capability does not match: only the running agent.run attempt/),
    });
    await expect(child({ ...real, capability: "short" })).rejects.toMatchObject({ code: status.PERMISSION_DENIED });
    await expect(child({ workflowId: root, taskId: "plain", capability: real.capability })).rejects.toMatchObject({
      code: status.PERMISSION_DENIED,
      details: expect.stringMatching(/^parent.taskId "plain" is not a running agent.run task/),
    });
    // The attempt's own capability works, and the refused ones attached nothing.
    const ok = await child(real);
    expect((await stack.client.get(root)).children).toEqual([ok]);
    await stack.client.cancel(root, "done");
    // A finished attempt's capability is worth nothing.
    await expect(child(real)).rejects.toThrow(/is not a running workflow/);
  });

  it("a parent that is not running is refused", async () => {
    await expect(
      stack.client.submit(workflow("orphan", [task("t", "test.echo", {})], 0, { parent: { workflowId: "nope", taskId: "x" } })),
    ).rejects.toThrow(/parent.workflowId "nope" is not a running workflow/);
  });

  it("a sub-agent's workflow sent to another coordinator goes to its parent's partition, at the parent's owner", async () => {
    const nc = await connect({ servers: stack.nats.url, name: "test-second-coordinator" });
    const config = loadConfig("coordinator", coordinatorConfigSchema, {
      TOOLMESH_NATS_URL: stack.nats.url,
      TOOLMESH_GRPC_HOST: "127.0.0.1",
      TOOLMESH_GRPC_PORT: "0",
    });
    const second = await startCoordinator(config, nc, createLogger("test", "silent"));
    const client = new ToolmeshClient(`127.0.0.1:${second.port}`);
    try {
      // Once the two share the partitions, a workflow submitted to the first runs on the first.
      await expect.poll(() => stack.coordinator.partitions.length, { timeout: 30_000 }).toBe(32);
      const parent = await stack.client.submit(workflow("far-parent", [held("agent", "far-parent")]));
      expect(second.partitions).not.toContain(partitionOfId(parent));
      const child = await client.submit(
        workflow("far-child", [task("c", "test.echo", { value: 1 })], 0, { parent: await parentRef(parent) }),
      );
      expect(partitionOfId(child)).toBe(partitionOfId(parent));
      expect((await client.get(parent)).children).toEqual([child]);
      await expect.poll(async () => (await client.get(child)).state, { timeout: 30_000 }).toBe(WorkflowState.WORKFLOW_STATE_SUCCEEDED);
      await client.cancel(parent, "done");
    } finally {
      client.close();
      await second.close();
      await nc.close();
    }
  });
});
