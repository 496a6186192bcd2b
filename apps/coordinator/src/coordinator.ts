import { Server } from "@grpc/grpc-js";
import { jetstream, jetstreamManager } from "@nats-io/jetstream";
import type { NatsConnection } from "@nats-io/transport-node";
import {
  GRPC_MAX_MESSAGE_BYTES,
  createRegistry,
  getOutput,
  maxPayloadOf,
  maxTaskArgsBytes,
  openOutputStore,
  type Logger,
} from "@toolmesh/core";
import { runSynthTool } from "@toolmesh/synthesis";
import { CoordinatorService } from "@toolmesh/proto";
import { HealthImplementation } from "grpc-health-check";
import { randomUUID } from "node:crypto";
import type { Registry } from "prom-client";
import { CapacityView } from "./capacity.js";
import { insecureBindWarning, type CoordinatorConfig } from "./config.js";
import { createCoordinatorMetrics } from "./coordinator-metrics.js";
import { Engine } from "./engine.js";
import { PartitionTable } from "./partition/partition-table.js";
import { instanceRoute } from "./partition/workflow-ids.js";
import { WorkflowStore } from "./store/workflow-store.js";
import { addReflection } from "./grpc/reflection.js";
import { Router } from "./grpc/routing.js";
import { localWorkflowCalls } from "./grpc/workflow-calls.js";
import { coordinatorService } from "./grpc/service.js";
import { tolerantDecoding } from "./grpc/decoding.js";
import { workflowSummary } from "./grpc/convert.js";
import { serverTls, type GrpcTransport, type ServerTls } from "./grpc/tls.js";
import { grpcServerMetrics } from "./grpc/server-metrics.js";

export interface RunningCoordinator {
  /** The bound gRPC port. */
  port: number;
  /** Plain text, TLS, or TLS with client certificates (mTLS). */
  transport: GrpcTransport;
  instanceId: string;
  /** This coordinator owns at least one partition (every coordinator serves every call either way). */
  readonly leading: boolean;
  /** The partitions this coordinator owns now. */
  readonly partitions: number[];
  engine: Engine;
  registry: Registry;
  /** Stops accepting calls, then stops the engine (the NATS connection is the caller's). */
  close(): Promise<void>;
}

/**
 * Starts the coordinator on an open NATS connection: JetStream streams, the
 * engine, and the gRPC server with health and reflection.
 */
export interface CoordinatorOptions {
  registry?: Registry;
  /** The gRPC port's credentials, when the caller checked them already (main does, before connecting to NATS). */
  tls?: ServerTls;
  /** This coordinator's id (main picks it first, to name the trace resource's service.instance.id). */
  instanceId?: string;
}

export async function startCoordinator(
  config: CoordinatorConfig,
  nc: NatsConnection,
  log: Logger,
  options: CoordinatorOptions = {},
): Promise<RunningCoordinator> {
  // First, so a bad certificate file stops start-up before anything else is set up.
  const tls = options.tls ?? serverTls(config);
  const registry = options.registry ?? createRegistry("coordinator");
  const metrics = createCoordinatorMetrics(registry);
  const capacity = new CapacityView(Math.max(5000, config.TOOLMESH_METRICS_INTERVAL_MS * 3));
  capacity.start(nc);
  const outputs = await openOutputStore(nc);
  const store = await WorkflowStore.open(nc, outputs);
  const instanceId = options.instanceId ?? `coordinator-${randomUUID().slice(0, 8)}`;
  const engine = new Engine({
    store,
    nc,
    log,
    metrics,
    capacity,
    resultAckWaitMs: config.TOOLMESH_RESULT_ACK_WAIT_MS,
    keepWorkflows: config.TOOLMESH_KEEP_WORKFLOWS,
    keepTasks: config.TOOLMESH_KEEP_TASKS,
    keepBytes: config.TOOLMESH_KEEP_BYTES,
    shareTtlMs: config.TOOLMESH_SHARE_TTL_MS,
    runSynth: async (tool, args, inputs) => runSynthTool(tool, args, inputs),
    loadOutput: (ref) => getOutput(outputs, ref),
    partitions: config.TOOLMESH_PARTITIONS,
    route: instanceRoute(instanceId),
    // To the partition's new owner, whose find() takes the workflow up; with no owner yet, the next one's gain() lists it.
    handOver: async (workflowId) => {
      await router
        .call(engine.partitionOf(workflowId), "get", { workflowId })
        .catch((err: unknown) => log.warn({ err, workflowId }, "could not hand a workflow to its partition's new owner"));
    },
  });
  await engine.start();
  const health = new HealthImplementation({ "": "NOT_SERVING", "toolmesh.v1.Coordinator": "NOT_SERVING" });
  const setServing = (serving: boolean): void => {
    for (const name of ["", "toolmesh.v1.Coordinator"]) health.setStatus(name, serving ? "SERVING" : "NOT_SERVING");
  };
  const limits = {
    maxTasks: config.TOOLMESH_MAX_TASKS,
    maxSpecBytes: config.TOOLMESH_MAX_SPEC_BYTES,
    defaultTimeoutMs: config.TOOLMESH_DEFAULT_TIMEOUT_MS,
    maxTimeoutMs: config.TOOLMESH_MAX_TIMEOUT_MS,
    maxAttempts: config.TOOLMESH_MAX_ATTEMPTS,
    maxCalls: config.TOOLMESH_MAX_CALLS,
    maxItems: config.TOOLMESH_MAX_ITEMS,
  };
  const router = new Router({
    nc,
    outputs,
    log,
    owns: (p) => engine.owns(p),
    local: localWorkflowCalls(engine, () => ({ ...limits, maxTaskBytes: maxTaskArgsBytes(maxPayloadOf(nc)) })),
    list: (limit) => engine.list(limit).map(workflowSummary),
    partitions: config.TOOLMESH_PARTITIONS,
    // A dead owner's partitions move within a lease and a renewal or two: calls wait that out.
    handoverMs: config.TOOLMESH_LEASE_MS * 2 + 2000,
  });
  router.start();
  const partitions = new PartitionTable({
    kv: store.kv,
    instanceId,
    partitions: config.TOOLMESH_PARTITIONS,
    leaseMs: config.TOOLMESH_LEASE_MS,
    log,
    onGained: async (partitions) => {
      await engine.gain(partitions);
      router.serve(partitions.filter((p) => engine.owns(p)));
      metrics.partitionsOwned.set(engine.ownedPartitions.length);
    },
    onLost: async (partitions) => {
      router.unserve(partitions);
      await engine.lose(partitions);
      metrics.partitionsOwned.set(engine.ownedPartitions.length);
    },
  });
  try {
    await partitions.start();
  } catch (err) {
    // A partition count other than the cluster's (or no KV): leave nothing running behind.
    router.close();
    capacity.stop();
    await engine.stop();
    throw err;
  }
  setServing(true);

  const server = new Server({
    // Leave room above the spec limit so an oversize spec reaches validation
    // and gets RESOURCE_EXHAUSTED with the limit named, not a transport error.
    "grpc.max_receive_message_length": config.TOOLMESH_MAX_SPEC_BYTES * 2 + 65_536,
    "grpc.max_send_message_length": GRPC_MAX_MESSAGE_BYTES,
    interceptors: [grpcServerMetrics(metrics.grpcHandling)],
  });
  server.addService(
    tolerantDecoding(CoordinatorService),
    coordinatorService({
      engine,
      nc,
      capacity,
      js: jetstream(nc),
      jsm: await jetstreamManager(nc),
      metrics,
      limits,
      token: config.TOOLMESH_GRPC_TOKEN,
      router,
    }),
  );
  health.addToServer(server);
  addReflection(server);

  const { credentials } = tls;
  const exposed = insecureBindWarning(config);
  if (exposed) log.warn({ host: config.TOOLMESH_GRPC_HOST }, exposed);
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync(`${config.TOOLMESH_GRPC_HOST}:${config.TOOLMESH_GRPC_PORT}`, credentials, (err, bound) =>
      err ? reject(err) : resolve(bound),
    ),
  );

  return {
    port,
    transport: tls.transport,
    engine,
    registry,
    instanceId,
    get leading() {
      return engine.leading;
    },
    get partitions() {
      return engine.ownedPartitions;
    },
    async close() {
      setServing(false);
      // Gives the partitions back first, so the others take them at once rather than after the lease.
      await partitions.stop();
      router.close();
      await new Promise<void>((resolve) => {
        const timer = setTimeout(() => {
          server.forceShutdown();
          resolve();
        }, 5000);
        server.tryShutdown(() => {
          clearTimeout(timer);
          resolve();
        });
      });
      capacity.stop();
      await engine.stop();
      store.close();
    },
  };
}
