import { connect, type NatsConnection } from "@nats-io/transport-node";
import { ToolmeshClient } from "@toolmesh/client";
import { startServiceProcess, type ServiceProcess } from "@toolmesh/local";
import { FanInMode, TaskState, WorkflowState, type Workflow } from "@toolmesh/proto";
import type { Worker } from "@toolmesh/runtime";
import { startTestNats, waitFor, type NatsServerHandle } from "@toolmesh/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startCountingWorker } from "../support/counting-worker.js";
import { task, workflow } from "../support/spec.js";
import { partitionOwners, workflowsKvWrites } from "../support/partitions.js";
import { repoRoot } from "../support/stack.js";

/**
 * Coordinators as real processes on a real nats-server, killed with SIGKILL
 * mid-workflow. The worker runs in this process so it can count how many
 * times each call really ran.
 */
let nats: NatsServerHandle;
let nc: NatsConnection;
let worker: Worker;
const coordinators: ServiceProcess[] = [];
const clients: ToolmeshClient[] = [];
let runs: ReadonlyMap<string, number>;

beforeAll(async () => {
  nats = await startTestNats();
  nc = await connect({ servers: nats.url });
  ({ worker, runs } = await startCountingWorker(nc, "failover", 16));
});
afterAll(async () => {
  for (const client of clients) client.close();
  for (const c of coordinators) c.child.kill("SIGKILL");
  await worker?.drain(500);
  await nc?.close();
  await nats?.stop();
});

const LEASE_MS = 3000;

async function startCoordinatorProcess(name: string): Promise<{ process: ServiceProcess; client: ToolmeshClient; instanceId: string }> {
  const process = await startServiceProcess({
    name,
    script: `${repoRoot}/apps/coordinator/dist/main.js`,
    env: {
      TOOLMESH_NATS_URL: nats.url,
      TOOLMESH_GRPC_HOST: "127.0.0.1",
      TOOLMESH_GRPC_PORT: "0",
      TOOLMESH_METRICS_PORT: "-1",
      // Renewed every second: a busy machine delaying a renewal by a second or two must not pass for a dead coordinator.
      TOOLMESH_LEASE_MS: String(LEASE_MS),
      TOOLMESH_RESULT_ACK_WAIT_MS: "2000",
      TOOLMESH_METRICS_INTERVAL_MS: "200",
    },
    readyTimeoutMs: 60_000,
  });
  coordinators.push(process);
  const client = new ToolmeshClient(`127.0.0.1:${String(process.ready.grpcPort)}`);
  clients.push(client);
  return { process, client, instanceId: String(process.ready.instanceId) };
}

/** Three layers: six sleeps, a fan-out of six more over a list, then a join. */
function layered(tag: string) {
  return workflow(`failover-${tag}`, [
    ...Array.from({ length: 6 }, (_, i) =>
      task(`a${i}`, "test.sleep", { ms: 300 + i * 100, value: `${tag}-a${i}` }, { timeoutMs: 30_000 }),
    ),
    task("list", "test.echo", { value: [0, 1, 2, 3, 4, 5].map((i) => `${tag}-b${i}`) }),
    task(
      "b",
      "test.sleep",
      { ms: 500, value: "{{item}}" },
      {
        dependsOn: ["list", "a0", "a1", "a2", "a3", "a4", "a5"],
        forEach: { from: "list", items: "value", maxItems: 0 },
        fanIn: { mode: FanInMode.FAN_IN_MODE_ALL, quorum: 0, deadlineMs: 0 },
        timeoutMs: 30_000,
      },
    ),
    task("end", "test.sleep", { ms: 50, value: `${tag}-end` }, { dependsOn: ["b"], timeoutMs: 30_000 }),
  ]);
}

async function finished(client: ToolmeshClient, id: string): Promise<Workflow> {
  return waitFor(
    async () => {
      const wf = await client.get(id).catch(() => undefined);
      return wf && wf.state !== WorkflowState.WORKFLOW_STATE_RUNNING ? wf : undefined;
    },
    60_000,
    "workflow to finish",
  );
}

/** Waits until the coordinator behind `client` answers workflow calls. */
async function serves(client: ToolmeshClient): Promise<void> {
  await waitFor(
    async () =>
      (await client
        .list(1)
        .then(() => true)
        .catch(() => false)) || undefined,
    60_000,
    "the coordinator to serve",
  );
}

const owners = (): Promise<Map<string, number>> => partitionOwners(nc);

function expectEachCallRanOnce(tag: string): void {
  const mine = [...runs].filter(([value]) => value.startsWith(`${tag}-`));
  expect(mine.map(([value]) => value).sort()).toEqual(
    [...[0, 1, 2, 3, 4, 5].flatMap((i) => [`${tag}-a${i}`, `${tag}-b${i}`]), `${tag}-end`].sort(),
  );
  expect(mine.filter(([, count]) => count !== 1)).toEqual([]);
}

describe("coordinator failover", () => {
  it("two coordinators share the partitions; one SIGKILLed mid-workflow: the other resumes its workflows, nothing lost, nothing run twice", async () => {
    const a = await startCoordinatorProcess("coordinator-a");
    const b = await startCoordinatorProcess("coordinator-b");
    await waitFor(
      async () => {
        const owned = await owners();
        return owned.get(a.instanceId) === 32 && owned.get(b.instanceId) === 32 ? true : undefined;
      },
      30_000,
      "the partitions shared out evenly",
    );

    // Idle, the partitions cost each coordinator one heartbeat a round (a third of TOOLMESH_LEASE_MS), not a write per
    // partition it owns: measured over about three lease periods (a measuring window, so it waits out the time).
    const [writes0, t0] = [await workflowsKvWrites(nc), performance.now()];
    await new Promise((resolve) => setTimeout(resolve, 3 * LEASE_MS));
    const [writes1, t1] = [await workflowsKvWrites(nc), performance.now()];
    const rounds = (t1 - t0) / (LEASE_MS / 3);
    // About 2 per round (one heartbeat each); renewing 64 leases a round, as before, wrote about 66.
    expect((writes1 - writes0) / rounds).toBeLessThan(10);
    expect(writes1 - writes0).toBeGreaterThan(0);

    // Submitted to a: in one of a's partitions, so a runs it; b answers for it too, by routing to a.
    const id = await a.client.submit(layered("one"));
    expect((await b.client.get(id)).id).toBe(id);
    const before = await waitFor(
      async () => {
        const wf = await a.client.get(id);
        return wf.tasks.filter((t) => t.state === TaskState.TASK_STATE_SUCCEEDED).length >= 3 ? wf : undefined;
      },
      30_000,
      "some tasks done",
    );
    a.process.child.kill("SIGKILL");

    // Once a's leases run out b takes its partitions, resumes the workflow and answers for it again.
    const done = await finished(b.client, id);
    expect(await owners()).toEqual(new Map([[b.instanceId, 64]]));
    expect(done.state).toBe(WorkflowState.WORKFLOW_STATE_SUCCEEDED);
    expectEachCallRanOnce("one");
    // What had finished before the kill kept its result; it was not run again.
    for (const t of before.tasks.filter((t) => t.state === TaskState.TASK_STATE_SUCCEEDED)) {
      expect(done.tasks.find((d) => d.id === t.id)).toMatchObject({ finishedAtMs: t.finishedAtMs, attempt: t.attempt });
    }
    expect((done.tasks.find((t) => t.id === "b")?.output?.items as unknown[]).length).toBe(6);
  }, 180_000);

  it("a lone coordinator restarted after SIGKILL resumes its workflows", async () => {
    // Alone: coordinators an earlier test left are gone first.
    for (const c of coordinators) c.child.kill("SIGKILL");
    const lone = await startCoordinatorProcess("coordinator-lone");
    await serves(lone.client);
    const id = await lone.client.submit(layered("two"));
    await waitFor(
      async () => ((await lone.client.get(id)).tasks.some((t) => t.state === TaskState.TASK_STATE_SUCCEEDED) ? true : undefined),
      30_000,
      "a task done",
    );
    lone.process.child.kill("SIGKILL");

    // The dead one's leases run out; the restarted coordinator takes its partitions by itself and resumes the workflow.
    const restarted = await startCoordinatorProcess("coordinator-restarted");
    await serves(restarted.client);
    const done = await finished(restarted.client, id);
    expect(done.state).toBe(WorkflowState.WORKFLOW_STATE_SUCCEEDED);
    expectEachCallRanOnce("two");
  }, 180_000);
});
