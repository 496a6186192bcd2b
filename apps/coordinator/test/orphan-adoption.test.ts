import { connect, type NatsConnection } from "@nats-io/transport-node";
import { ToolmeshClient } from "@toolmesh/client";
import { createLogger, createRegistry, loadConfig, openOutputStore } from "@toolmesh/core";
import { WorkflowState } from "@toolmesh/proto";
import { startWorker, type Worker } from "@toolmesh/runtime";
import { startTestNats, waitFor, type NatsServerHandle } from "@toolmesh/testing";
import { defineHandler, testEcho } from "@toolmesh/tools";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { coordinatorConfigSchema } from "../src/config.js";
import { startCoordinator, type RunningCoordinator } from "../src/coordinator.js";
import { mintWorkflowId } from "../src/partition/workflow-ids.js";
import { WorkflowStore } from "../src/store/workflow-store.js";
import { WorkflowRun } from "../src/workflow/run.js";
import { RecordingEffects, task, workflow } from "./workflow-harness.js";

/**
 * A workflow stored in a partition after its owner had listed the
 * partition's workflows (a submit on a coordinator that lost the partition
 * while storing the spec) is taken up by the owner when asked for it, not
 * left "running" with nothing running it.
 */
let nats: NatsServerHandle;
const connections: NatsConnection[] = [];
let coordinator: RunningCoordinator;
let worker: Worker;
let client: ToolmeshClient;
const log = createLogger("test", "silent");

beforeAll(async () => {
  nats = await startTestNats();
  const nc = await connect({ servers: nats.url });
  connections.push(nc);
  const config = loadConfig("coordinator", coordinatorConfigSchema, {
    TOOLMESH_NATS_URL: nats.url,
    TOOLMESH_GRPC_HOST: "127.0.0.1",
    TOOLMESH_GRPC_PORT: "0",
    TOOLMESH_METRICS_PORT: "-1",
    TOOLMESH_PARTITIONS: "1",
  });
  coordinator = await startCoordinator(config, nc, log);
  await waitFor(() => (coordinator.partitions.length === 1 ? true : undefined), 30_000, "the coordinator to own the partition");
  worker = await startWorker({
    service: "orphan-test",
    pool: "test",
    handlers: { "test.echo": defineHandler(testEcho, async (args) => ({ value: args.value ?? null })) },
    nc,
    log,
    registry: createRegistry("orphan"),
    limit: 4,
    metricsIntervalMs: 200,
  });
  client = new ToolmeshClient(`127.0.0.1:${coordinator.port}`);
}, 120_000);

afterAll(async () => {
  client?.close();
  await coordinator?.close();
  await worker?.drain(500);
  for (const nc of connections) await nc.close();
  await nats?.stop();
});

describe("a workflow stored behind its partition owner's back", () => {
  it("is taken up and run to the end by the owner once it is asked for", async () => {
    // Stored as a submitting coordinator stores it, by another connection, after the owner resumed the partition.
    const nc = await connect({ servers: nats.url });
    connections.push(nc);
    const store = await WorkflowStore.open(nc, await openOutputStore(nc));
    const id = mintWorkflowId(0);
    const spec = workflow([task("a", { args: { value: "one" } }), task("b", { args: { value: "two" }, dependsOn: ["a"] })]);
    await store.save(new WorkflowRun(id, spec, new RecordingEffects(), {}));
    store.close();

    expect((await client.get(id)).id).toBe(id);
    const done = await waitFor(
      async () => {
        const wf = await client.get(id);
        return wf.state === WorkflowState.WORKFLOW_STATE_RUNNING ? undefined : wf;
      },
      30_000,
      "the stored workflow to finish",
    );
    expect(done.state).toBe(WorkflowState.WORKFLOW_STATE_SUCCEEDED);
    expect(done.tasks.map((t) => [t.id, t.output?.value])).toEqual([
      ["a", "one"],
      ["b", "two"],
    ]);
  }, 60_000);
});
