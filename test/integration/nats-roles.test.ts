import { jetstream, jetstreamManager } from "@nats-io/jetstream";
import { Kvm } from "@nats-io/kv";
import { connect, type NatsConnection } from "@nats-io/transport-node";
import { CATALOG_BUCKET } from "@toolmesh/catalog";
import { ToolmeshClient } from "@toolmesh/client";
import {
  Buckets,
  Subjects,
  decodeJson,
  encodeJson,
  poolRole,
  roleEnv,
  writeNatsAuth,
  type MetricsSnapshot,
  type NatsAuthFiles,
  type NatsRole,
} from "@toolmesh/core";
import { startServiceProcess, type ServiceProcess } from "@toolmesh/local";
import { LIMITS_BUCKET } from "@toolmesh/runtime";
import { startNatsServer, waitFor, type NatsServerHandle } from "@toolmesh/testing";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { askBus } from "../support/command-bus.js";
import { startCoordinatorProcess, type CoordinatorProcess } from "../support/coordinator-process.js";
import { task, workflow } from "../support/spec.js";
import { repoRoot } from "../support/stack.js";

/**
 * A nats-server with `up`'s role table and fresh logins, the real
 * coordinator and autoscaler processes, and the test pool's worker as the
 * autoscaler starts it (with the pool's login, read from its file): every
 * role does its work, and what the issue's attacker did is refused.
 */
let dir: string;
let auth: NatsAuthFiles;
let nats: NatsServerHandle;
let coordinator: CoordinatorProcess;
let autoscaler: ServiceProcess;
let client: ToolmeshClient;
const connections: NatsConnection[] = [];

async function as(role: NatsRole): Promise<NatsConnection> {
  const login = auth.credentials.get(role)!;
  const nc = await connect({
    servers: nats.url,
    user: login.user,
    pass: login.password,
    inboxPrefix: login.inboxPrefix,
    name: `test-as-${role}`,
    reconnect: false,
  });
  connections.push(nc);
  return nc;
}

/** The server's refusal of a publish, as the client hears it (an async -ERR). */
function nextPermissionError(nc: NatsConnection): Promise<string> {
  return (async () => {
    for await (const status of nc.status())
      if (status.type === "error" && status.error.name === "PermissionViolationError") return status.error.message;
    return "connection closed";
  })();
}

/** A subscription the server refuses: `closed` resolves with the permission error. */
async function subscribeRefused(nc: NatsConnection, subject: string): Promise<string> {
  const closed = await nc.subscribe(subject).closed;
  return closed instanceof Error ? closed.message : "closed without an error";
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "toolmesh-nats-roles-"));
  auth = writeNatsAuth(join(dir, "auth"), ["test", "bash", "codebase"]);
  nats = await startNatsServer({ configFile: auth.configFile, logFile: join(dir, "nats-server.log") });
  const common = { TOOLMESH_NATS_URL: nats.url, TOOLMESH_METRICS_INTERVAL_MS: "200" };
  coordinator = await startCoordinatorProcess({
    ...common,
    ...roleEnv(auth.credentials.get("coordinator")!),
    TOOLMESH_GRPC_HOST: "127.0.0.1",
  });
  autoscaler = await startServiceProcess({
    name: "autoscaler",
    script: join(repoRoot, "apps/autoscaler/dist/main.js"),
    logFile: join(dir, "autoscaler.log"),
    env: {
      ...common,
      ...roleEnv(auth.credentials.get("autoscaler")!),
      TOOLMESH_METRICS_PORT: "-1",
      TOOLMESH_AUTOSCALER_BACKEND: "local",
      TOOLMESH_AUTOSCALER_POOLS: "test",
      TOOLMESH_AUTOSCALER_REPLICAS: "test=1:1",
      TOOLMESH_AUTOSCALER_INTERVAL_MS: "500",
      TOOLMESH_AUTOSCALER_DRAIN_GRACE_MS: "1000",
      TOOLMESH_AUTOSCALER_LOG_DIR: dir,
      TOOLMESH_AUTOSCALER_POOL_CREDENTIALS_DIR: dirname(auth.fileOf(poolRole("test"))),
    },
  });
  client = new ToolmeshClient(`127.0.0.1:${coordinator.port}`);
  await waitFor(
    async () => (await client.capacity()).pools.find((p) => p.pool === "test" && p.instances > 0),
    60_000,
    "the autoscaler's test worker",
  );
});

afterAll(async () => {
  client?.close();
  await Promise.all(connections.map((nc) => nc.close().catch(() => undefined)));
  await autoscaler?.stop(10_000);
  await coordinator?.stop();
  await nats?.stop();
});

describe("without a login", () => {
  it("a client with no credentials, or a wrong password, is refused at connect", async () => {
    await expect(connect({ servers: nats.url, reconnect: false })).rejects.toThrow(/Authorization Violation/i);
    const observer = auth.credentials.get("observer")!;
    await expect(connect({ servers: nats.url, user: observer.user, pass: `${observer.password}x`, reconnect: false })).rejects.toThrow(
      /Authorization Violation/i,
    );
  });
});

describe("every role's own work", () => {
  it("a workflow runs end to end: coordinator and the autoscaler's test worker, each with its own login", async () => {
    const done = await client.run(
      workflow("roles", [
        task("a", "test.echo", { value: 1 }),
        task("b", "test.echo", { value: "{{tasks.a.value}}" }, { dependsOn: ["a"] }),
      ]),
    );
    expect(done.tasks.map((t) => [t.id, t.output])).toEqual([
      ["a", { value: 1 }],
      ["b", { value: 1 }],
    ]);
    // The worker connected as the pool's role, not as the autoscaler that started it.
    expect(readFileSync(join(dir, "nats-server.log"), "utf8")).not.toMatch(/User "autoscaler-[0-9a-f]+".*TM_TASKS_TEST\.workers/);
  });

  it("a quiet call's result comes back to the coordinator on its reply subject, small or through TM_OUTPUTS", async () => {
    expect((await client.call({ tool: "test.echo", args: { value: "quiet" } })).output).toEqual({ value: "quiet" });
    const big = await client.call({ tool: "test.echo", args: { value: "big", padBytes: 300_000 } });
    expect(String(big.output?.pad).length).toBe(300_000);
  });

  it("a worker stores an output too large for a message in TM_OUTPUTS, which the coordinator reads back", async () => {
    const done = await client.run(workflow("large", [task("big", "test.echo", { value: "big", padBytes: 300_000 })]));
    expect(done.tasks[0]!.output).toMatchObject({ $ref: `${done.id}/big/1` });
    expect(await client.taskOutput(done.id, "big")).toMatchObject({ value: "big", pad: "x".repeat(300_000) });
  });

  it("the observer reads metrics and the pools' queues", async () => {
    const nc = await as("observer");
    const snapshot = new Promise<MetricsSnapshot>((resolve) => {
      const sub = nc.subscribe(Subjects.allMetrics, {
        callback: (_err, msg) => (sub.unsubscribe(), resolve(decodeJson<MetricsSnapshot>(msg.data))),
      });
    });
    expect((await snapshot).pool).toBe("test");
    const info = await (await jetstreamManager(nc)).consumers.info("TM_TASKS_TEST", "workers");
    expect(info.num_pending).toBeGreaterThanOrEqual(0);
  });

  it("the operator sets a pool's limit and gets the worker's answer", async () => {
    const nc = await as("operator");
    const [reply] = await askBus(nc, Subjects.setLimit("test"), { limit: 40 }, { count: 1 });
    expect(reply).toMatchObject({ ok: true, detail: "limit=40" });
    expect((await askBus(nc, Subjects.setLimit("test"), { adaptive: true }, { count: 1 }))[0]).toMatchObject({ ok: true });
  });
});

describe("a pool's login cannot", () => {
  it("read another pool's queue or the results", async () => {
    const nc = await as(poolRole("codebase"));
    const jsm = await jetstreamManager(nc);
    await expect(jsm.consumers.info("TM_TASKS_BASH", "workers")).rejects.toThrow(/Permissions Violation/);
    await expect(nc.request("$JS.API.CONSUMER.MSG.NEXT.TM_TASKS_TEST.workers", encodeJson({ batch: 1 }))).rejects.toThrow(
      /Permissions Violation for Publish/,
    );
    await expect(jsm.consumers.info("TM_RESULTS", "coordinator")).rejects.toThrow(/Permissions Violation/);
  });

  it("read objects in TM_OUTPUTS (other pools' large outputs, offloaded specs)", async () => {
    const nc = await as(poolRole("test"));
    await expect(nc.request("$JS.API.STREAM.MSG.GET.OBJ_TM_OUTPUTS", encodeJson({ seq: 1 }))).rejects.toThrow(
      /Permissions Violation for Publish/,
    );
    expect(await subscribeRefused(nc, "$O.TM_OUTPUTS.>")).toMatch(/Permissions Violation for Subscription/);
  });

  it("inject a task into the bash queue", async () => {
    const nc = await as(poolRole("codebase"));
    await expect(jetstream(nc).publish(Subjects.task("bash"), encodeJson({ tool: "bash.exec", args: { command: "id" } }))).rejects.toThrow(
      /Permissions Violation for Publish to "tm\.data\.task\.bash"/,
    );
    const coordinatorNc = await as("coordinator");
    expect((await (await jetstreamManager(coordinatorNc)).streams.info("TM_TASKS_BASH")).state.messages).toBe(0);
  });

  it("set a limit, drain a pool or cancel a task", async () => {
    const nc = await as(poolRole("codebase"));
    await expect(nc.request(Subjects.setLimit("test"), encodeJson({ limit: 1 }))).rejects.toThrow(
      /Permissions Violation for Publish to "tm\.cmd\.pool\.test\.set-limit"/,
    );
    await expect(nc.request(Subjects.drain("codebase"), encodeJson({}))).rejects.toThrow(
      /Permissions Violation for Publish to "tm\.cmd\.pool\.codebase\.drain"/,
    );
    const refused = nextPermissionError(nc);
    nc.publish(Subjects.cancel, encodeJson({ workflowId: "x", reason: "forged" }));
    expect(await refused).toMatch(/Permissions Violation for Publish to "tm\.cmd\.cancel"/);
  });

  it("publish a task's or a workflow's outcome events, or another pool's limit event", async () => {
    const nc = await as(poolRole("test"));
    for (const subject of [
      Subjects.event("wf1", "task.succeeded"),
      Subjects.event("wf1", "workflow.failed"),
      Subjects.poolLimitEvent("bash"),
      Subjects.poolScaleEvent("test"),
    ]) {
      const refused = nextPermissionError(nc);
      nc.publish(subject, encodeJson({ kind: "forged" }));
      expect(await refused).toContain(subject);
    }
  });

  it("read the workflows bucket", async () => {
    const nc = await as(poolRole("test"));
    // open() is lazy: the reads are what the server refuses.
    const kv = await new Kvm(nc).open(Buckets.workflows);
    await expect(kv.get("leader")).rejects.toThrow(/Permissions Violation/);
    await expect(kv.status()).rejects.toThrow(/Permissions Violation/);
    await expect(nc.request(`$JS.API.DIRECT.GET.KV_TM_WORKFLOWS.$KV.TM_WORKFLOWS.leader`, new Uint8Array())).rejects.toThrow(
      /Permissions Violation for Publish/,
    );
  });

  it("subscribe to the data pipeline, other roles' inboxes or the shared inbox", async () => {
    const nc = await as(poolRole("test"));
    for (const subject of [
      "tm.data.result.>",
      // The coordinators' quiet-call results: a worker publishes there, never reads another's.
      "tm.data.reply.>",
      Subjects.quietResult("coordinator-instance"),
      "tm.data.chunk.>",
      "tm.data.task.bash",
      "tm.data.>",
      "_INBOX_coordinator.>",
      "_INBOX_pool-bash.>",
      "_INBOX.>",
      "tm.metrics.>",
    ]) {
      expect(await subscribeRefused(nc, subject)).toMatch(/Permissions Violation for Subscription/);
    }
  });
});

describe("the coordinators' command subjects", () => {
  it("answer a coordinator: a routed call reaches the owner of the partition", async () => {
    const nc = await as("coordinator");
    const reply = await nc.request(Subjects.coordinatorPartition(0), encodeJson({ body: { op: "get", workflowId: "p0-missing" } }), {
      timeout: 10_000,
    });
    expect(JSON.parse(new TextDecoder().decode(reply.data))).toMatchObject({ error: { details: expect.stringMatching(/no workflow/) } });
  });

  it("are the coordinators' alone: no other role sends there or listens there", async () => {
    for (const role of [poolRole("test"), "observer", "operator", "autoscaler"] as NatsRole[]) {
      const nc = await as(role);
      for (const subject of [Subjects.coordinatorPartition(0), Subjects.coordinatorList]) {
        const refused = nextPermissionError(nc);
        nc.publish(subject, encodeJson({ body: { op: "cancel", workflowId: "p0-x" } }));
        expect(await refused, role).toContain(subject);
      }
      expect(await subscribeRefused(nc, "tm.cmd.coordinator.>"), role).toMatch(/Permissions Violation for Subscription/);
    }
  });
});

describe("the observer's login cannot", () => {
  it("send commands or read the data pipeline", async () => {
    const nc = await as("observer");
    await expect(nc.request(Subjects.setLimit("test"), encodeJson({ limit: 1 }))).rejects.toThrow(/Permissions Violation for Publish/);
    await expect(nc.request(Subjects.drain("test"), encodeJson({}))).rejects.toThrow(/Permissions Violation for Publish/);
    const refused = nextPermissionError(nc);
    nc.publish(Subjects.cancel, encodeJson({ workflowId: "x", reason: "forged" }));
    expect(await refused).toMatch(/tm\.cmd\.cancel/);
    expect(await subscribeRefused(nc, "tm.data.>")).toMatch(/Permissions Violation for Subscription/);
    expect(await subscribeRefused(nc, "_INBOX_operator.>")).toMatch(/Permissions Violation for Subscription/);
  });
});

it("no service hit a refusal: the only Permissions Violation lines are this test's own attempts", () => {
  const violations = readFileSync(join(dir, "nats-server.log"), "utf8")
    .split("\n")
    .filter((line) => line.includes("Violation"));
  expect(violations.filter((line) => !/"v[\d.]+:nats\.js:test-as-/.test(line))).toEqual([]);
});

it("the role table names the buckets as their owners do", () => {
  expect([Buckets.limits, Buckets.catalog]).toEqual([LIMITS_BUCKET, CATALOG_BUCKET]);
});
