// The coordinator process: config from the environment, then startCoordinator.
import { connectNats, createLogger, initTracing, loadConfig, onShutdown, otlpTraceExport, runMain, serveMetrics } from "@toolmesh/core";
import { randomUUID } from "node:crypto";
import { coordinatorConfigSchema } from "./config.js";
import { startCoordinator } from "./coordinator.js";
import { serverTls } from "./grpc/tls.js";

await runMain("coordinator", async () => {
  const config = loadConfig("coordinator", coordinatorConfigSchema);
  const tls = serverTls(config);
  const log = createLogger("coordinator", config.TOOLMESH_LOG_LEVEL);
  const instanceId = `coordinator-${randomUUID().slice(0, 8)}`;
  initTracing("coordinator", { otlp: otlpTraceExport(config), instanceId });
  const nc = await connectNats(config, "coordinator");
  const coordinator = await startCoordinator(config, nc, log, { tls, instanceId });
  const metricsServer =
    config.TOOLMESH_METRICS_PORT >= 0
      ? await serveMetrics(coordinator.registry, config.TOOLMESH_METRICS_PORT, config.TOOLMESH_METRICS_HOST)
      : undefined;
  log.info(
    {
      grpcPort: coordinator.port,
      grpcTransport: coordinator.transport,
      metricsPort: metricsServer?.port,
      nats: config.TOOLMESH_NATS_URL,
      instanceId: coordinator.instanceId,
      partitions: coordinator.partitions.length,
    },
    "ready",
  );

  onShutdown(log, async () => {
    await coordinator.close();
    await nc.drain().catch(() => undefined);
    await metricsServer?.close();
  });
});
