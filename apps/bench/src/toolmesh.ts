import { connect, type NatsConnection } from "@nats-io/transport-node";
import { ToolmeshClient, type ToolCallSession } from "@toolmesh/client";
import { WORKER_NODE_ARGS, type ServiceProcess } from "@toolmesh/local";
import { setTimeout as sleep } from "node:timers/promises";
import { CALL_TIMEOUT_MS, ECHO_VALUE, echoMismatch } from "./payload.js";
import { ProcessGroup, appScript } from "./processes.js";
import { isToolmeshStream, streamWriteCounter } from "./stream-writes.js";
import type { BenchSystem, ProcessRef } from "./system.js";

/** The test pool's hard ceiling (POOLS.test.maxLimit). */
const MAX_POOL_LIMIT = 256;
/** grpc status UNAVAILABLE: what a standby coordinator answers. */
const GRPC_UNAVAILABLE = 14;

export interface ToolmeshStack {
  /** Calls over one CallTools stream per serving coordinator, round-robin. */
  stream: BenchSystem;
  /** One unary CallTool per call, round-robin over the serving coordinators. */
  unary: BenchSystem;
  /** The coordinators' gRPC addresses that answered calls. */
  serving: string[];
  coordinators: ProcessRef[];
  worker: ProcessRef;
  /** One line when some coordinators answered UNAVAILABLE (standbys), else undefined. */
  standbyNote?: string;
  close(): Promise<void>;
}

const coordinatorLabel = (i: number, n: number): string => (n === 1 ? "coordinator" : `coordinator#${i + 1}`);

function grpcAddress(service: ServiceProcess): string {
  const port = Number(service.ready.grpcPort);
  if (!Number.isInteger(port) || port <= 0)
    throw new Error(`${service.name}'s ready line has no grpcPort: ${JSON.stringify(service.ready)}`);
  return `127.0.0.1:${port}`;
}

const request = { tool: "test.echo", args: { value: ECHO_VALUE }, timeoutMs: CALL_TIMEOUT_MS };

/** How long a coordinator answering UNAVAILABLE is asked again before it counts as a standby (partitions may still be settling). */
const STANDBY_PATIENCE_MS = 5_000;
const PROBE_INTERVAL_MS = 250;

/** Whether the coordinator behind `client` serves calls: one call, asked again while it answers UNAVAILABLE, up to the patience. */
async function serves(client: ToolmeshClient): Promise<boolean> {
  const deadline = Date.now() + STANDBY_PATIENCE_MS;
  for (;;) {
    try {
      await client.call(request);
      return true;
    } catch (err) {
      if ((err as { code?: unknown }).code !== GRPC_UNAVAILABLE) throw err;
      if (Date.now() >= deadline) return false;
      await sleep(PROBE_INTERVAL_MS);
    }
  }
}

/**
 * The whole production path as separate processes: `coordinators`
 * coordinator processes and one testpool worker (with the Node options
 * of every pool worker) on the one nats-server.
 * Each coordinator is asked for one call first; those that still answer
 * UNAVAILABLE after STANDBY_PATIENCE_MS (standbys, while one replica holds
 * the lease) are left out of the rotation and named in `standbyNote`.
 */
export async function startToolmesh(natsUrl: string, concurrency: number, coordinators: number): Promise<ToolmeshStack> {
  const group = new ProcessGroup();
  const clients: ToolmeshClient[] = [];
  const sessions: ToolCallSession[] = [];
  let nc: NatsConnection | undefined;
  const close = async (): Promise<void> => {
    await nc?.close().catch(() => undefined);
    await Promise.all(sessions.map((s) => s.close().catch(() => undefined)));
    for (const c of clients) c.close();
    await group.stopAll();
  };
  // info, the production default; it is also the level at which the services announce "ready".
  const common = { TOOLMESH_NATS_URL: natsUrl, TOOLMESH_METRICS_PORT: "-1", TOOLMESH_LOG_LEVEL: "info" };
  try {
    const started = await group.start(
      ...Array.from({ length: coordinators }, (_, i) => ({
        name: coordinatorLabel(i, coordinators),
        script: appScript("coordinator"),
        env: { ...common, TOOLMESH_GRPC_HOST: "127.0.0.1", TOOLMESH_GRPC_PORT: "0" },
      })),
      {
        name: "testpool",
        script: appScript("testpool"),
        // As a pool worker runs wherever toolmesh starts one (autoscaler's local backend, the pool images).
        nodeArgs: WORKER_NODE_ARGS,
        env: { ...common, TOOLMESH_POOL_LIMIT: String(Math.min(MAX_POOL_LIMIT, Math.max(1, concurrency))) },
      },
    );
    const coordinatorProcs = started.slice(0, coordinators);
    const addresses = coordinatorProcs.map(grpcAddress);
    const probes = addresses.map((a) => new ToolmeshClient(a, { timeoutMs: CALL_TIMEOUT_MS }));
    clients.push(...probes);
    const answers = await Promise.all(probes.map(serves));
    const serving = addresses.filter((_, i) => answers[i]);
    const servingClients = probes.filter((_, i) => answers[i]);
    if (serving.length === 0) throw new Error(`none of the ${coordinators} coordinators serves calls (all answered UNAVAILABLE)`);
    const standbys = coordinatorProcs.filter((_, i) => !answers[i]).map((p) => p.name);
    const standbyNote =
      standbys.length > 0
        ? `${standbys.length} of ${coordinators} coordinators answered UNAVAILABLE (standby: ${standbys.join(", ")}); calls go round-robin over the ${serving.length} serving`
        : undefined;
    sessions.push(...servingClients.map((c) => c.session()));
    const check = (value: unknown): void => {
      if (value !== ECHO_VALUE) throw echoMismatch("toolmesh", value);
    };
    nc = await connect({ servers: natsUrl, name: "bench-stream-writes" });
    const streamWrites = streamWriteCounter(nc, isToolmeshStream);
    const coordinatorRefs = coordinatorProcs.map((p) => ({ label: p.name, pid: p.child.pid }));
    const worker = { label: "testpool", pid: started[coordinators]!.child.pid };
    const processes = [...coordinatorRefs, worker];
    return {
      stream: {
        key: "toolmesh-stream",
        name: "toolmesh, CallTools stream",
        processes,
        uses: ["nats"],
        streamWrites,
        async call(index) {
          check((await sessions[index % sessions.length]!.call(request)).output?.value);
        },
        close: async () => undefined,
      },
      unary: {
        key: "toolmesh-unary",
        name: "toolmesh, unary CallTool",
        processes,
        uses: ["nats"],
        streamWrites,
        async call(index) {
          check((await servingClients[index % servingClients.length]!.call(request)).output?.value);
        },
        close: async () => undefined,
      },
      serving,
      coordinators: coordinatorRefs,
      worker,
      ...(standbyNote ? { standbyNote } : {}),
      close,
    };
  } catch (err) {
    await close();
    throw err;
  }
}
