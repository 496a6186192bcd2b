// The coordinator process: config from the environment, then startCoordinator.
import { connectNats, createLogger, initTracing, loadConfig, onShutdown, runMain, serveMetrics } from "@toolmesh/core";
import { coordinatorConfigSchema } from "./config.js";
import { startCoordinator } from "./coordinator.js";
import { serverTls } from "./grpc/tls.js";
await runMain("coordinator", async () => {
    const config = loadConfig("coordinator", coordinatorConfigSchema);
    const tls = serverTls(config);
    const log = createLogger("coordinator", config.TOOLMESH_LOG_LEVEL);
    initTracing("coordinator", { otlpEndpoint: config.OTEL_EXPORTER_OTLP_ENDPOINT });
    const nc = await connectNats(config, "coordinator");
    const coordinator = await startCoordinator(config, nc, log, {
        tls,
        // Another replica holds the lease now: stop at once rather than act beside it; the supervisor restarts this one as a standby.
        onLeadershipLost: () => process.exit(1),
    });
    const metricsServer = config.TOOLMESH_METRICS_PORT >= 0
        ? await serveMetrics(coordinator.registry, config.TOOLMESH_METRICS_PORT, config.TOOLMESH_METRICS_HOST, () => coordinator.leading)
        : undefined;
    log.info({
        grpcPort: coordinator.port,
        grpcTransport: coordinator.transport,
        metricsPort: metricsServer?.port,
        nats: config.TOOLMESH_NATS_URL,
        instanceId: coordinator.instanceId,
        role: coordinator.leading ? "active" : "standby",
    }, "ready");
    onShutdown(log, async () => {
        await coordinator.close();
        await nc.drain().catch(() => undefined);
        await metricsServer?.close();
    });
});
//# sourceMappingURL=main.js.map