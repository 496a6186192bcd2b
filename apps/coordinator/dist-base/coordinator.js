import { Server } from "@grpc/grpc-js";
import { jetstream, jetstreamManager } from "@nats-io/jetstream";
import { createRegistry, getOutput, openOutputStore } from "@toolmesh/core";
import { runSynthTool } from "@toolmesh/synthesis";
import { CoordinatorService } from "@toolmesh/proto";
import { HealthImplementation } from "grpc-health-check";
import { randomUUID } from "node:crypto";
import { setTimeout as sleep } from "node:timers/promises";
import { CapacityView } from "./capacity.js";
import { insecureBindWarning } from "./config.js";
import { createCoordinatorMetrics } from "./coordinator-metrics.js";
import { Engine } from "./engine.js";
import { Leadership } from "./store/leadership.js";
import { WorkflowStore } from "./store/workflow-store.js";
import { addReflection } from "./grpc/reflection.js";
import { coordinatorService } from "./grpc/service.js";
import { tolerantDecoding } from "./grpc/decoding.js";
import { serverTls } from "./grpc/tls.js";
async function waitUntil(condition, timeoutMs) {
    const until = Date.now() + timeoutMs;
    while (!condition() && Date.now() < until)
        await sleep(20);
}
export async function startCoordinator(config, nc, log, options = {}) {
    // First, so a bad certificate file stops start-up before anything else is set up.
    const tls = options.tls ?? serverTls(config);
    const registry = options.registry ?? createRegistry("coordinator");
    const metrics = createCoordinatorMetrics(registry);
    const capacity = new CapacityView(Math.max(5000, config.TOOLMESH_METRICS_INTERVAL_MS * 3));
    capacity.start(nc);
    const outputs = await openOutputStore(nc);
    const store = await WorkflowStore.open(nc, outputs);
    const instanceId = `coordinator-${randomUUID().slice(0, 8)}`;
    const engine = new Engine({
        store,
        nc,
        log,
        metrics,
        capacity,
        resultAckWaitMs: config.TOOLMESH_RESULT_ACK_WAIT_MS,
        keepWorkflows: config.TOOLMESH_KEEP_WORKFLOWS,
        shareTtlMs: config.TOOLMESH_SHARE_TTL_MS,
        runSynth: async (tool, args, inputs) => runSynthTool(tool, args, inputs),
        loadOutput: (ref) => getOutput(outputs, ref),
    });
    await engine.start();
    const health = new HealthImplementation({ "": "NOT_SERVING", "toolmesh.v1.Coordinator": "NOT_SERVING" });
    const setServing = (serving) => {
        for (const name of ["", "toolmesh.v1.Coordinator"])
            health.setStatus(name, serving ? "SERVING" : "NOT_SERVING");
    };
    const leadership = new Leadership({
        kv: store.kv,
        instanceId,
        leaseMs: config.TOOLMESH_LEASE_MS,
        log,
        onElected: async () => {
            await engine.lead();
            setServing(true);
        },
        onLost: () => {
            setServing(false);
            void engine.stop();
            options.onLeadershipLost?.();
        },
    });
    await leadership.start();
    // A lone replica waits out a predecessor's lease; a second one becomes a standby.
    await leadership.waitForLeadership(options.waitForLeadershipMs ?? config.TOOLMESH_LEASE_MS + 1000);
    await waitUntil(() => engine.leading || !leadership.isLeader, 10_000);
    const server = new Server({
        // Leave room above the spec limit so an oversize spec reaches validation
        // and gets RESOURCE_EXHAUSTED with the limit named, not a transport error.
        "grpc.max_receive_message_length": config.TOOLMESH_MAX_SPEC_BYTES * 2 + 65_536,
        "grpc.max_send_message_length": 64 * 1024 * 1024,
    });
    server.addService(tolerantDecoding(CoordinatorService), coordinatorService({
        engine,
        nc,
        capacity,
        js: jetstream(nc),
        jsm: await jetstreamManager(nc),
        metrics,
        limits: {
            maxTasks: config.TOOLMESH_MAX_TASKS,
            maxSpecBytes: config.TOOLMESH_MAX_SPEC_BYTES,
            defaultTimeoutMs: config.TOOLMESH_DEFAULT_TIMEOUT_MS,
            maxTimeoutMs: config.TOOLMESH_MAX_TIMEOUT_MS,
            maxAttempts: config.TOOLMESH_MAX_ATTEMPTS,
            maxCalls: config.TOOLMESH_MAX_CALLS,
            maxItems: config.TOOLMESH_MAX_ITEMS,
        },
        token: config.TOOLMESH_GRPC_TOKEN,
        standbyReason: () => engine.leading
            ? undefined
            : `this coordinator (${instanceId}) is a standby; the active one is ${leadership.holder ?? "being elected"}: retry there, or in a moment`,
    }));
    health.addToServer(server);
    addReflection(server);
    const { credentials } = tls;
    const exposed = insecureBindWarning(config);
    if (exposed)
        log.warn({ host: config.TOOLMESH_GRPC_HOST }, exposed);
    const port = await new Promise((resolve, reject) => server.bindAsync(`${config.TOOLMESH_GRPC_HOST}:${config.TOOLMESH_GRPC_PORT}`, credentials, (err, bound) => err ? reject(err) : resolve(bound)));
    return {
        port,
        transport: tls.transport,
        engine,
        registry,
        instanceId,
        get leading() {
            return engine.leading;
        },
        async close() {
            setServing(false);
            await leadership.stop();
            await new Promise((resolve) => {
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
        },
    };
}
//# sourceMappingURL=coordinator.js.map