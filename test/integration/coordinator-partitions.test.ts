import { connect, type NatsConnection } from "@nats-io/transport-node";
import { ToolmeshClient } from "@toolmesh/client";
import { startServiceProcess, type ServiceProcess } from "@toolmesh/local";
import { EventType, TaskState, WorkflowState, type Workflow } from "@toolmesh/proto";
import type { Worker } from "@toolmesh/runtime";
import { startTestNats, waitFor, type NatsServerHandle } from "@toolmesh/testing";
import { once } from "node:events";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startCountingWorker } from "../support/counting-worker.js";
import { counterTotal, partitionOfId, partitionOwners, partitionTable } from "../support/partitions.js";
import { task, workflow } from "../support/spec.js";
import { repoRoot } from "../support/stack.js";

/**
 * Three coordinators as real processes sharing the 64 partitions on a real
 * nats-server, under workflows and quiet calls sent to all three; then one
 * is SIGKILLed. The worker runs in this process so it counts how many times
 * each call really ran.
 */
interface Coordinator {
  process: ServiceProcess;
  client: ToolmeshClient;
  instanceId: string;
  metricsPort: number;
}

let nats: NatsServerHandle;
let nc: NatsConnection;
let worker: Worker;
const coordinators: Coordinator[] = [];
let runs: ReadonlyMap<string, number>;

async function startCoordinator(name: string): Promise<Coordinator> {
  const process = await startServiceProcess({
    name,
    script: `${repoRoot}/apps/coordinator/dist/main.js`,
    env: {
      TOOLMESH_NATS_URL: nats.url,
      TOOLMESH_GRPC_HOST: "127.0.0.1",
      TOOLMESH_GRPC_PORT: "0",
      TOOLMESH_METRICS_HOST: "127.0.0.1",
      TOOLMESH_METRICS_PORT: "0",
      // Renewed every second: a busy machine delaying a renewal by a second or two must not pass for a dead coordinator.
      TOOLMESH_LEASE_MS: "3000",
      TOOLMESH_RESULT_ACK_WAIT_MS: "2000",
      TOOLMESH_METRICS_INTERVAL_MS: "200",
    },
    readyTimeoutMs: 60_000,
  });
  const coordinator = {
    process,
    client: new ToolmeshClient(`127.0.0.1:${String(process.ready.grpcPort)}`),
    instanceId: String(process.ready.instanceId),
    metricsPort: Number(process.ready.metricsPort),
  };
  coordinators.push(coordinator);
  return coordinator;
}

beforeAll(async () => {
  nats = await startTestNats();
  nc = await connect({ servers: nats.url });
  ({ worker, runs } = await startCountingWorker(nc, "partitions", 32));
  for (const name of ["coordinator-a", "coordinator-b", "coordinator-c"]) await startCoordinator(name);
  // Shared out: 64 over three is 22, 22, 20 (each aims for ceil(64/3) and takes no more).
  await waitFor(
    async () => {
      const owned = await partitionOwners(nc);
      const counts = coordinators.map((c) => owned.get(c.instanceId) ?? 0);
      return counts.every((n) => n >= 20 && n <= 22) && counts.reduce((a, b) => a + b, 0) === 64 ? true : undefined;
    },
    60_000,
    "the partitions shared out among three",
  );
}, 180_000);

afterAll(async () => {
  for (const c of coordinators) {
    c.client.close();
    c.process.child.kill("SIGKILL");
  }
  await worker?.drain(500);
  await nc?.close();
  await nats?.stop();
});

async function finished(client: ToolmeshClient, id: string): Promise<Workflow> {
  return waitFor(
    async () => {
      const wf = await client.get(id).catch(() => undefined);
      return wf && wf.state !== WorkflowState.WORKFLOW_STATE_RUNNING ? wf : undefined;
    },
    90_000,
    `workflow ${id} to finish`,
  );
}

async function dispatched(c: Coordinator): Promise<number> {
  const text = await (await fetch(`http://127.0.0.1:${String(c.metricsPort)}/metrics`)).text();
  return counterTotal(text, "toolmesh_tasks_dispatched_total");
}

function expectEachCallRanOnce(values: string[]): void {
  const seen = values.map((value) => [value, runs.get(value) ?? 0] as const);
  expect(seen.filter(([, count]) => count !== 1)).toEqual([]);
}

describe("coordinators sharing the partitions", () => {
  it("three coordinators under mixed load each own about a third of the partitions and serve about a third of the calls", async () => {
    const before = await Promise.all(coordinators.map(dispatched));
    const workflows = 36;
    // Workflows and quiet calls sent round-robin to all three at once.
    const submitted = Promise.all(
      Array.from({ length: workflows }, (_, i) =>
        coordinators[i % 3]!.client.submit(
          workflow(`mixed-${i}`, [
            task("a", "test.sleep", { ms: 20, value: `mixed-${i}-a` }),
            task("b", "test.sleep", { ms: 20, value: `mixed-${i}-b` }, { dependsOn: ["a"] }),
          ]),
        ),
      ),
    );
    const calls = Promise.all(
      Array.from({ length: 72 }, (_, i) => coordinators[i % 3]!.client.call({ tool: "test.echo", args: { value: i } })),
    );
    const ids = await submitted;
    for (const [i, result] of (await calls).entries())
      expect(result).toMatchObject({ state: TaskState.TASK_STATE_SUCCEEDED, output: { value: i } });
    // Each read back through a coordinator it was not submitted to: routed to its partition's owner.
    for (const [i, id] of ids.entries())
      expect((await finished(coordinators[(i + 1) % 3]!.client, id)).state).toBe(WorkflowState.WORKFLOW_STATE_SUCCEEDED);
    expectEachCallRanOnce(ids.flatMap((_, i) => [`mixed-${i}-a`, `mixed-${i}-b`]));

    // A workflow runs on the owner of its partition; each coordinator minted its workflows in its own partitions.
    const table = await partitionTable(nc);
    for (const [i, id] of ids.entries()) expect(table.get(partitionOfId(id)), id).toBe(coordinators[i % 3]!.instanceId);
    // Each dispatched about a third: its 12 workflows' 24 tasks and its 24 quiet calls, 48 of 144.
    const served = (await Promise.all(coordinators.map(dispatched))).map((n, i) => n - before[i]!);
    expect(served.reduce((a, b) => a + b, 0)).toBe(2 * workflows + 72);
    for (const n of served) expect(n).toBe(48);

    // WatchWorkflow on a coordinator that does not own the workflow replays its events from TM_EVENTS to the end.
    const kinds: EventType[] = [];
    for await (const event of coordinators[1]!.client.watch(ids[0]!)) kinds.push(event.type);
    expect(kinds[0]).toBe(EventType.EVENT_TYPE_WORKFLOW_STARTED);
    expect(kinds.at(-1)).toBe(EventType.EVENT_TYPE_WORKFLOW_SUCCEEDED);

    // ListWorkflows on any one of them gathers all three's.
    const listed = (await coordinators[1]!.client.list(1000)).workflows.map((w) => w.id);
    expect(listed).toEqual(expect.arrayContaining(ids));
  }, 180_000);

  it("one of three SIGKILLed under load: the other two take its partitions and resume its workflows, every call exactly once", async () => {
    const [a, b, victim] = coordinators as [Coordinator, Coordinator, Coordinator];
    const tags = Array.from({ length: 9 }, (_, i) => `kill-${i}`);
    const values = (tag: string): string[] => [...Array.from({ length: 4 }, (_, j) => `${tag}-s${j}`), `${tag}-end`];
    const spec = (tag: string) =>
      workflow(`kill-${tag}`, [
        ...Array.from({ length: 4 }, (_, j) =>
          task(`s${j}`, "test.sleep", { ms: 400 + j * 300, value: `${tag}-s${j}` }, { timeoutMs: 30_000 }),
        ),
        task("end", "test.sleep", { ms: 50, value: `${tag}-end` }, { dependsOn: ["s0", "s1", "s2", "s3"], timeoutMs: 30_000 }),
      ]);
    // Round-robin: three of them run on the victim, in its partitions.
    const ids = await Promise.all(tags.map((tag, i) => coordinators[i % 3]!.client.submit(spec(tag))));
    const victims = ids.filter((_, i) => i % 3 === 2);
    await waitFor(
      async () => {
        const wfs = await Promise.all(victims.map((id) => victim.client.get(id)));
        return wfs.every((wf) => wf.tasks.some((t) => t.state === TaskState.TASK_STATE_SUCCEEDED)) ? true : undefined;
      },
      30_000,
      "the victim's workflows under way",
    );
    // Quiet calls keep going to the survivors across the kill.
    const calls = Promise.all(Array.from({ length: 40 }, (_, i) => [a, b][i % 2]!.client.call({ tool: "test.echo", args: { value: i } })));
    victim.process.child.kill("SIGKILL");

    for (const [i, id] of ids.entries())
      expect((await finished([a, b][i % 2]!.client, id)).state).toBe(WorkflowState.WORKFLOW_STATE_SUCCEEDED);
    expect((await calls).every((r) => r.state === TaskState.TASK_STATE_SUCCEEDED)).toBe(true);
    expectEachCallRanOnce(tags.flatMap(values));
    // The two survivors share all 64, 32 each.
    await waitFor(
      async () => {
        const owned = await partitionOwners(nc);
        return owned.get(a.instanceId) === 32 && owned.get(b.instanceId) === 32 ? true : undefined;
      },
      30_000,
      "the survivors to share all partitions",
    );
  }, 240_000);

  it("a newcomer under load gets its share, then leaves gracefully (SIGTERM): the workflows handed over each way finish, every call exactly once", async () => {
    const live = coordinators.filter((c) => c.process.child.exitCode === null && c.process.child.signalCode === null);
    const tags = Array.from({ length: 12 }, (_, i) => `join-${i}`);
    const values = (tag: string): string[] => [...Array.from({ length: 3 }, (_, j) => `${tag}-s${j}`), `${tag}-end`];
    const spec = (tag: string) =>
      workflow(`join-${tag}`, [
        ...Array.from({ length: 3 }, (_, j) =>
          task(`s${j}`, "test.sleep", { ms: 500 + j * 400, value: `${tag}-s${j}` }, { timeoutMs: 30_000 }),
        ),
        task("end", "test.sleep", { ms: 50, value: `${tag}-end` }, { dependsOn: ["s0", "s1", "s2"], timeoutMs: 30_000 }),
      ]);
    const before = await Promise.all(tags.slice(0, 8).map((tag, i) => live[i % live.length]!.client.submit(spec(tag))));
    const newcomer = await startCoordinator(`coordinator-new-${live.length}`);
    // Each member holds at most ceil(64 / members): the others give back down to that, and the newcomer takes what is left.
    const share = 64 - live.length * Math.ceil(64 / (live.length + 1));
    await waitFor(
      async () => ((await partitionOwners(nc)).get(newcomer.instanceId) ?? 0) >= share || undefined,
      30_000,
      "the newcomer's share",
    );
    const after = await Promise.all(tags.slice(8).map((tag) => newcomer.client.submit(spec(tag))));
    // Leaving: it stops acting on its partitions and gives them back, and the others take them without waiting out a lease.
    newcomer.process.child.kill("SIGTERM");
    const [exitCode] = (await once(newcomer.process.child, "exit")) as [number | null];
    expect(exitCode).toBe(0);
    for (const [i, id] of [...before, ...after].entries())
      expect((await finished(live[i % live.length]!.client, id)).state).toBe(WorkflowState.WORKFLOW_STATE_SUCCEEDED);
    expectEachCallRanOnce(tags.flatMap(values));
    const owned = await partitionOwners(nc);
    expect(owned.has(newcomer.instanceId)).toBe(false);
    expect([...owned.values()].reduce((a, b) => a + b, 0)).toBe(64);
  }, 240_000);
});
