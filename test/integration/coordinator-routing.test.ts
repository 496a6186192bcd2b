import { connect, type NatsConnection } from "@nats-io/transport-node";
import { ToolmeshClient } from "@toolmesh/client";
import type { RunningCoordinator } from "@toolmesh/coordinator";
import { ConfigError, createLogger, createRegistry } from "@toolmesh/core";
import { TaskState, WorkflowState } from "@toolmesh/proto";
import { startWorker, type Worker } from "@toolmesh/runtime";
import { testHandlers } from "@toolmesh/testpool";
import { startTestNats, waitFor, type NatsServerHandle } from "@toolmesh/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startInProcessCoordinator } from "../support/in-process-coordinator.js";
import { task, workflow } from "../support/spec.js";

/**
 * Routing where it must hop: one partition in all, so of two coordinators
 * one owns everything and the other owns nothing and forwards every
 * workflow call, bodies and answers larger than a NATS message included.
 */
let nats: NatsServerHandle;
const connections: NatsConnection[] = [];
const running: RunningCoordinator[] = [];
let worker: Worker;
let owner: ToolmeshClient;
let other: ToolmeshClient;
const log = createLogger("test", "silent");

async function coordinator(partitions: string): Promise<RunningCoordinator> {
  const started = await startInProcessCoordinator(
    nats.url,
    { TOOLMESH_METRICS_PORT: "-1", TOOLMESH_PARTITIONS: partitions },
    log,
    connections,
  );
  running.push(started);
  return started;
}

beforeAll(async () => {
  nats = await startTestNats();
  const nc = await connect({ servers: nats.url });
  connections.push(nc);
  worker = await startWorker({
    service: "routing-test",
    pool: "test",
    handlers: testHandlers,
    nc,
    log,
    registry: createRegistry("routing"),
    limit: 8,
    metricsIntervalMs: 200,
  });
  const a = await coordinator("1");
  await waitFor(async () => (a.partitions.length === 1 ? true : undefined), 30_000, "the first coordinator to own the partition");
  const b = await coordinator("1");
  expect(b.partitions).toEqual([]);
  owner = new ToolmeshClient(`127.0.0.1:${a.port}`);
  other = new ToolmeshClient(`127.0.0.1:${b.port}`);
}, 120_000);

afterAll(async () => {
  owner?.close();
  other?.close();
  for (const c of running.reverse()) await c.close();
  await worker?.drain(500);
  for (const nc of connections) await nc.close();
  await nats?.stop();
});

describe("a coordinator that owns no partition", () => {
  it("forwards submit, get, output, cancel, cancelTask and watch to the owner", async () => {
    const id = await other.submit(workflow("forwarded", [task("a", "test.echo", { value: "hello" })]));
    expect(id).toMatch(/^p0-/);
    const done = await waitFor(
      async () => {
        const wf = await other.get(id);
        return wf.state === WorkflowState.WORKFLOW_STATE_SUCCEEDED ? wf : undefined;
      },
      30_000,
      "the forwarded workflow to finish",
    );
    expect(done.tasks[0]!.output).toEqual({ value: "hello" });
    expect(await other.taskOutput(id, "a")).toEqual({ value: "hello" });
    expect((await owner.get(id)).id).toBe(id);
    const events: number[] = [];
    for await (const event of other.watch(id)) events.push(event.type);
    expect(events.length).toBeGreaterThan(2);

    const held = await other.submit(
      workflow("held", [
        task("s", "test.sleep", { ms: 60_000, value: "held" }),
        task("t", "test.sleep", { ms: 60_000, value: "held too" }),
      ]),
    );
    expect((await other.cancelTask(held, "t", "only this one")).state).toBe(TaskState.TASK_STATE_CANCELLED);
    expect((await owner.get(held)).tasks.find((t) => t.id === "t")!.state).toBe(TaskState.TASK_STATE_CANCELLED);
    expect((await other.cancel(held, "not needed")).state).toBe(WorkflowState.WORKFLOW_STATE_CANCELLED);
    expect((await owner.get(held)).state).toBe(WorkflowState.WORKFLOW_STATE_CANCELLED);
    await expect(other.get("p0-0123456789abcdef0123456789abcdef")).rejects.toThrow(/no workflow/);
  }, 60_000);

  it("a spec and an answer larger than a NATS message go through the object store", async () => {
    // Eight tasks of 200 KB each: 1.6 MB of spec, over the 1 MB max_payload; the answer carries their outputs too.
    const big = "x".repeat(200_000);
    const tasks = Array.from({ length: 8 }, (_, i) => task(`t${i}`, "test.echo", { value: `${i}${big}` }));
    const id = await other.submit(workflow("big", tasks));
    const done = await waitFor(
      async () => {
        const wf = await other.get(id);
        return wf.state === WorkflowState.WORKFLOW_STATE_SUCCEEDED ? wf : undefined;
      },
      60_000,
      "the big workflow to finish",
    );
    expect(done.tasks.map((t) => (t.output?.value as string).length)).toEqual(Array.from({ length: 8 }, () => 200_001));
  }, 90_000);

  it("a coordinator started with another partition count refuses to start", async () => {
    await expect(coordinator("2")).rejects.toBeInstanceOf(ConfigError);
  }, 60_000);
});
