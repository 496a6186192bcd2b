import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { jetstream, jetstreamManager, type JetStreamManager } from "@nats-io/jetstream";
import { connect, type NatsConnection } from "@nats-io/transport-node";
import { Streams, ensureAttemptsBucket, ensureEventStream, ensurePoolStream, ensureResultStream, openOutputStore } from "@toolmesh/core";
import { findNatsServer } from "@toolmesh/local";
import { freePort, waitFor } from "@toolmesh/testing";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { chartDir, find, template } from "./helpers/helm.js";
import { NATS_AUTH, secretData } from "./helpers/nats-auth.js";

// values-production.yaml's NATS as three real nats-server processes: the
// StatefulSet's own arguments (server name, cluster name, routes through the
// headless Service's pod names), with the addresses moved to loopback ports and
// the Secret as environment (the pod's envFrom). The services' stream helpers,
// with the ConfigMap's TOOLMESH_JS_REPLICAS, then make replicated streams there.

const SERVERS = 3;
const dir = mkdtempSync(join(tmpdir(), "toolmesh-nats-cluster-"));
const children: ChildProcess[] = [];
let clientPorts: number[];
let jsReplicas: string;
let nc: NatsConnection;
let jsm: JetStreamManager;

/** The rendered args of pod `i`, with its in-cluster addresses replaced by loopback ports. */
function localArgs(args: string[], i: number, ports: { client: number[]; monitor: number[]; cluster: number[] }): string[] {
  const routeTo = (route: string): string => {
    const match = /^nats:\/\/tm-nats-(\d+)\.tm-nats-headless:6222$/.exec(route);
    if (!match) throw new Error(`unexpected route ${route}`);
    return `nats://127.0.0.1:${ports.cluster[Number(match[1])]}`;
  };
  const replaced = args.map((arg, k) => {
    const flag = args[k - 1];
    if (arg === "/etc/nats-auth/auth.conf") return join(dir, "auth.conf");
    if (flag === "-sd") return join(dir, `data-${i}`);
    if (flag === "-m") return String(ports.monitor[i]);
    if (flag === "-P") return join(dir, `nats-${i}.pid`);
    if (arg === "$(POD_NAME)") return `tm-nats-${i}`;
    if (flag === "--cluster") return `nats://127.0.0.1:${ports.cluster[i]}`;
    if (flag === "--routes") return arg.split(",").map(routeTo).join(",");
    return arg;
  });
  return ["-a", "127.0.0.1", "-p", String(ports.client[i]), ...replaced];
}

beforeAll(async () => {
  const objects = await template({}, ["-f", join(chartDir, "values-production.yaml")]);
  jsReplicas = find(objects, "ConfigMap", "tm-toolmesh")!.data.TOOLMESH_JS_REPLICAS;
  const nats = find(objects, "StatefulSet", "tm-nats")!.spec.template.spec.containers.find((c: any) => c.name === "nats");
  writeFileSync(join(dir, "auth.conf"), find(objects, "ConfigMap", NATS_AUTH)!.data["auth.conf"], { mode: 0o600 });
  const logins = secretData(objects);
  const ports = { client: [] as number[], monitor: [] as number[], cluster: [] as number[] };
  for (let i = 0; i < SERVERS; i++) {
    ports.client.push(await freePort());
    ports.monitor.push(await freePort());
    ports.cluster.push(await freePort());
  }
  clientPorts = ports.client;
  const binary = findNatsServer() ?? "nats-server";
  for (let i = 0; i < SERVERS; i++) {
    const child = spawn(binary, localArgs(nats.args, i, ports), { env: { ...process.env, ...logins }, stdio: "ignore" });
    children.push(child);
  }
  nc = await waitFor(
    () =>
      connect({
        servers: `nats://127.0.0.1:${clientPorts[0]}`,
        user: logins["coordinator-user"],
        pass: logins["coordinator-password"],
        inboxPrefix: "_INBOX_coordinator",
      }).catch(() => null),
    30_000,
    "the first server",
  );
  jsm = await jetstreamManager(nc, { checkAPI: false });
  // JetStream answers once the three servers have elected a meta leader.
  await waitFor(() => jsm.getAccountInfo().catch(() => null), 60_000, "a JetStream meta leader");
});

afterAll(async () => {
  await nc?.close().catch(() => undefined);
  const running = children.filter((c) => c.exitCode === null && c.signalCode === null);
  const exited = running.map((c) => new Promise((done) => c.once("exit", done)));
  for (const child of running) child.kill("SIGKILL");
  await Promise.all(exited);
  rmSync(dir, { recursive: true, force: true });
});

/** Runs `create` with the ConfigMap's TOOLMESH_JS_REPLICAS in the environment, as a service would. */
async function withReplicas<T>(value: string | undefined, create: () => Promise<T>): Promise<T> {
  const before = process.env.TOOLMESH_JS_REPLICAS;
  if (value === undefined) delete process.env.TOOLMESH_JS_REPLICAS;
  else process.env.TOOLMESH_JS_REPLICAS = value;
  try {
    return await create();
  } finally {
    if (before === undefined) delete process.env.TOOLMESH_JS_REPLICAS;
    else process.env.TOOLMESH_JS_REPLICAS = before;
  }
}

describe("the production NATS cluster, run from the chart's arguments", () => {
  test("three servers in one cluster", async () => {
    const info = await jsm.getAccountInfo();
    expect(info.api.errors).toBe(0);
    expect(jsReplicas).toBe("3");
  });

  test("the services' streams, buckets and object store get TOOLMESH_JS_REPLICAS=3 copies", async () => {
    await withReplicas(jsReplicas, async () => {
      await ensureEventStream(jsm);
      await ensureResultStream(jsm);
      await ensurePoolStream(jsm, "codebase");
      await ensureAttemptsBucket(nc);
      await openOutputStore(nc);
    });
    for (const stream of [Streams.events, Streams.results, Streams.tasks("codebase"), "KV_TM_ATTEMPTS", "OBJ_TM_OUTPUTS"]) {
      const info = await jsm.streams.info(stream);
      expect(info.config.num_replicas, stream).toBe(3);
      // The leader and two current followers: three copies on three servers.
      await waitFor(
        async () => (await jsm.streams.info(stream)).cluster?.replicas?.filter((r) => r.current).length === 2,
        30_000,
        `${stream}'s followers`,
      );
    }
  });

  test("unset, the documented default: one copy", async () => {
    await withReplicas(undefined, () => ensurePoolStream(jsm, "web"));
    expect((await jsm.streams.info(Streams.tasks("web"))).config.num_replicas).toBe(1);
  });

  test("with one server gone, an R3 stream still takes writes (two of three keep quorum)", async () => {
    const leader = (await jsm.streams.info(Streams.events)).cluster!.leader;
    // Stop a server other than the one this client is on (tm-nats-0).
    const victim = leader && leader !== "tm-nats-0" ? Number(leader.slice(-1)) : 1;
    children[victim]!.kill("SIGKILL");
    const js = jetstream(nc, { timeout: 2000 });
    const ack = await waitFor(
      () => js.publish("tm.evt.wf-ha.task.started", "{}").catch(() => null),
      30_000,
      "a PubAck after a server loss",
    );
    expect(ack.stream).toBe(Streams.events);
  });
});
