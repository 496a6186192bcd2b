// The autoscaler process: config from the environment (and --max-instances), a backend, then the loop.
import { connectNats, createLogger, createRegistry, onShutdown, runMain, serveMetrics } from "@toolmesh/core";
import { startAutoscaler } from "./autoscaler.js";
import { createBackend } from "./backends/create.js";
import { parseAutoscalerConfig } from "./config.js";

await runMain("autoscaler", async () => {
  const config = parseAutoscalerConfig(process.env, process.argv.slice(2));
  const { raw } = config;
  const log = createLogger("autoscaler", raw.TOOLMESH_LOG_LEVEL);
  const registry = createRegistry("autoscaler");
  const nc = await connectNats(raw, "autoscaler");
  const backend = await createBackend(config, log);
  const autoscaler = await startAutoscaler({
    nc,
    backend,
    log,
    registry,
    pools: config.pools,
    bounds: config.bounds,
    maxInstances: config.maxInstances,
    intervalMs: raw.TOOLMESH_AUTOSCALER_INTERVAL_MS,
    targetDrainS: raw.TOOLMESH_AUTOSCALER_TARGET_DRAIN_S,
    scaleDownWindowMs: raw.TOOLMESH_AUTOSCALER_SCALE_DOWN_WINDOW_S * 1000,
    scaleDownStep: raw.TOOLMESH_AUTOSCALER_SCALE_DOWN_STEP,
    defaultTaskMs: raw.TOOLMESH_AUTOSCALER_DEFAULT_TASK_MS,
    staleMs: Math.max(5000, raw.TOOLMESH_METRICS_INTERVAL_MS * 3),
  });
  const metricsServer =
    raw.TOOLMESH_METRICS_PORT >= 0 ? await serveMetrics(registry, raw.TOOLMESH_METRICS_PORT, raw.TOOLMESH_METRICS_HOST) : undefined;
  log.info(
    {
      metricsPort: metricsServer?.port,
      nats: raw.TOOLMESH_NATS_URL,
      backend: backend.name,
      pools: config.pools,
      bounds: Object.fromEntries(config.bounds),
      maxInstances: config.maxInstances,
    },
    "ready",
  );

  onShutdown(log, async () => {
    // The local backend drains its workers here: in-flight tasks finish, queued ones stay queued.
    await autoscaler.close();
    await nc.drain().catch(() => undefined);
    await metricsServer?.close();
  });
});
