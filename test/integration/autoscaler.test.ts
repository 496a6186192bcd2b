import { connect, type NatsConnection } from "@nats-io/transport-node";
import { LocalProcessBackend, startAutoscaler, type Autoscaler } from "@toolmesh/autoscaler";
import { Subjects, createLogger, createRegistry, decodeJson, type EventMessage, type ScaleEvent } from "@toolmesh/core";
import { WorkflowState } from "@toolmesh/proto";
import { waitFor } from "@toolmesh/testing";
import { afterAll, beforeAll, expect, it } from "vitest";
import { task, workflow } from "../support/spec.js";
import { startStack, type TestStack } from "../support/stack.js";

/**
 * The autoscaler's loop in this process with the LOCAL backend managing real
 * testpool processes (min 1, max 4), against a real nats-server and the
 * coordinator: a burst scales the pool up, the work finishes exactly once
 * while workers are started and stopped, and the pool shrinks back to one.
 */
let stack: TestStack;
let nc: NatsConnection;
let backend: LocalProcessBackend;
let autoscaler: Autoscaler | undefined;
const log = createLogger("autoscaler-test", process.env.TOOLMESH_TEST_LOG ?? "silent");

beforeAll(async () => {
  stack = await startStack();
  nc = await connect({ servers: stack.nats.url, name: "autoscaler-test" });
  backend = new LocalProcessBackend({
    natsUrl: stack.nats.url,
    log,
    drainGraceMs: 10_000,
    // Small workers (4 calls at once), so 400 × 100 ms is work for several of them.
    env: { TOOLMESH_METRICS_INTERVAL_MS: "200", TOOLMESH_ACK_WAIT_MS: "10000" },
    poolEnv: { test: { TOOLMESH_POOL_LIMIT: "4" } },
  });
});
afterAll(async () => {
  await autoscaler?.close();
  await nc?.close();
  await stack?.stop();
});

it("a burst scales the test pool up, every task runs exactly once through scale-up and scale-down, then it shrinks back to 1", async () => {
  const scaleEvents: ScaleEvent[] = [];
  const started = new Map<string, number>();
  nc.subscribe(Subjects.poolScaleEvent("test"), { callback: (_err, msg) => void scaleEvents.push(decodeJson<ScaleEvent>(msg.data)) });
  nc.subscribe(Subjects.allEvents, {
    callback: (_err, msg) => {
      const event = decodeJson<EventMessage>(msg.data);
      if (event.kind === "task.started" && event.taskId)
        started.set(`${event.workflowId}/${event.taskId}`, (started.get(`${event.workflowId}/${event.taskId}`) ?? 0) + 1);
    },
  });
  await nc.flush();
  const registry = createRegistry("autoscaler-test");
  autoscaler = await startAutoscaler({
    nc: stack.nc,
    backend,
    log,
    registry,
    pools: ["test"],
    bounds: new Map([["test", { min: 1, max: 4 }]]),
    maxInstances: 10,
    intervalMs: 500,
    targetDrainS: 5,
    scaleDownWindowMs: 3000,
    scaleDownStep: 1,
    defaultTaskMs: 100,
    staleMs: 2000,
  });
  // The minimum comes up first (its worker creates the pool's consumer).
  await waitFor(
    async () =>
      (await backend.current("test")) === 1 && (await stack.client.capacity()).pools.find((p) => p.pool === "test" && p.instances === 1),
    60_000,
    "one worker",
  );

  const burst = Array.from({ length: 400 }, (_, i) => task(`s${i}`, "test.sleep", { ms: 100, value: i }, { timeoutMs: 60_000 }));
  const t0 = Date.now();
  const first = await stack.client.submit(workflow("burst", burst));
  await waitFor(async () => (await backend.current("test")) > 1, 60_000, "a scale-up");
  let peak = 0;
  const sampler = setInterval(() => void backend.current("test").then((n) => (peak = Math.max(peak, n))), 100);

  // Once the pool starts shrinking, a second burst arrives: workers are being stopped while work flows.
  await waitFor(() => scaleEvents.some((e) => e.replicas < e.previousReplicas), 90_000, "a scale-down");
  const second = await stack.client.submit(workflow("during-scale-down", burst.slice(0, 60)));

  for (const id of [first, second]) {
    const done = await waitFor(
      async () => {
        const wf = await stack.client.get(id);
        return wf.state === WorkflowState.WORKFLOW_STATE_RUNNING ? undefined : wf;
      },
      90_000,
      "workflow to finish",
    );
    expect(done.state).toBe(WorkflowState.WORKFLOW_STATE_SUCCEEDED);
    expect(done.tasks.every((t) => t.attempt === 1)).toBe(true);
    for (const t of done.tasks) expect(started.get(`${id}/${t.id}`), `${t.id} started once`).toBe(1);
  }
  const burstSeconds = (Date.now() - t0) / 1000;

  await waitFor(async () => (await backend.current("test")) === 1, 60_000, "back down to one worker");
  clearInterval(sampler);
  await waitFor(
    async () => (await stack.client.capacity()).pools.find((p) => p.pool === "test" && p.instances === 1),
    60_000,
    "one live instance",
  );

  expect(peak).toBeGreaterThan(1);
  expect(peak).toBeLessThanOrEqual(4);
  const ups = scaleEvents.filter((e) => e.replicas > e.previousReplicas);
  const downs = scaleEvents.filter((e) => e.replicas < e.previousReplicas);
  expect(ups.length).toBeGreaterThan(0);
  expect(downs.length).toBeGreaterThan(0);
  expect(scaleEvents.every((e) => e.kind === "pool.scale" && e.backend === "local" && e.reason.length > 0)).toBe(true);
  // The first "up" starts the minimum from none (before the consumer exists the stream is the backlog); the burst's come after.
  expect(ups[0]!.previousReplicas).toBe(0);
  const burstUps = ups.filter((e) => e.previousReplicas >= 1);
  expect(burstUps.length).toBeGreaterThan(0);
  expect(burstUps[0]!.reason).toMatch(/backlog \d+ \(\d+ pending \+ \d+ ack-pending\)/);
  const metrics = await registry.metrics();
  expect(metrics).toMatch(/toolmesh_autoscaler_decisions_total\{pool="test",direction="up"/);
  expect(metrics).toMatch(/toolmesh_autoscaler_replicas\{pool="test"[^}]*\} 1/);
  log.info({ peak, burstSeconds, ups: ups.length, downs: downs.length, events: scaleEvents.length }, "autoscaler burst");
  process.stderr.write(
    `autoscaler burst: peak ${peak} workers, 460 tasks done in ${burstSeconds.toFixed(1)} s, ${burstUps.length} scale-ups, ${downs.length} scale-downs\n`,
  );
}, 300_000);
