import { z } from "zod";
import { randomUUID } from "node:crypto";
import {
  baseConfigSchema,
  connectNats,
  createLogger,
  createRegistry,
  initTracing,
  loadConfig,
  onShutdown,
  otlpTraceExport,
  serveMetrics,
  poolDefinition,
  type PoolName,
} from "@toolmesh/core";
import { SEED_THRESHOLDS } from "@toolmesh/scaling";
import type { AdaptiveOptions } from "./adaptive.js";
import type { ToolHandlers } from "./handler.js";
import { startWorker, type Worker } from "./worker.js";
import { WORKER_BOUNDS, WORKER_DEFAULTS } from "./worker-options.js";

export const workerConfigSchema = baseConfigSchema.extend({
  /** Starting concurrency limit of this instance; the pool's minimum when unset. */
  TOOLMESH_POOL_LIMIT: z.coerce.number().int().min(1).optional(),
  /** Ack wait of the pool's consumer: redelivery delay after a worker dies. */
  TOOLMESH_ACK_WAIT_MS: z.coerce.number().int().min(WORKER_BOUNDS.minAckWaitMs).default(WORKER_DEFAULTS.ackWaitMs),
  /** How long SIGTERM waits for in-flight tasks before aborting them. */
  TOOLMESH_DRAIN_GRACE_MS: z.coerce.number().int().min(0).default(WORKER_DEFAULTS.drainGraceMs),
  TOOLMESH_INSTANCE_ID: z
    .string()
    .regex(/^[A-Za-z0-9_-]+$/)
    .optional(),
  /** Adaptive concurrency within the pool's range; on unless a fixed TOOLMESH_POOL_LIMIT is given. */
  TOOLMESH_ADAPTIVE: z.enum(["true", "false"]).optional(),
  /** The range the adaptive limit moves in; the pool's defaults (e.g. codebase 32-48) when unset. */
  TOOLMESH_POOL_MIN: z.coerce.number().int().min(1).optional(),
  TOOLMESH_POOL_MAX: z.coerce.number().int().min(1).optional(),
  /** The seed's thresholds for stepping down. */
  TOOLMESH_THRESHOLD_CPU_PERCENT: z.coerce.number().min(1).max(100).default(SEED_THRESHOLDS.cpuPercent),
  TOOLMESH_THRESHOLD_MEMORY: z.coerce.number().gt(0).max(1).default(SEED_THRESHOLDS.memoryFraction),
  TOOLMESH_THRESHOLD_ERROR_RATE: z.coerce.number().gt(0).max(1).default(SEED_THRESHOLDS.errorRate),
  TOOLMESH_THRESHOLD_THROUGHPUT_DROP: z.coerce.number().gt(0).max(1).default(SEED_THRESHOLDS.throughputDrop),
  TOOLMESH_THRESHOLD_QUALITY: z.coerce.number().min(0).max(1).default(SEED_THRESHOLDS.minQuality),
  /** Outputs larger than this go to the TM_OUTPUTS object store instead of the result message. */
  TOOLMESH_INLINE_OUTPUT_BYTES: z.coerce.number().int().min(WORKER_BOUNDS.minOutputBytes).default(WORKER_DEFAULTS.inlineOutputBytes),
  /** Outputs larger than this fail with RESOURCE_EXHAUSTED. */
  TOOLMESH_MAX_OUTPUT_BYTES: z.coerce.number().int().min(WORKER_BOUNDS.minOutputBytes).default(WORKER_DEFAULTS.maxOutputBytes),
});
export type WorkerConfig = z.infer<typeof workerConfigSchema>;

export interface WorkerServiceOptions {
  service: string;
  pool: PoolName;
  /** Builds the handlers once config and logger exist (e.g. to read roots). */
  handlers: (env: NodeJS.ProcessEnv, log: ReturnType<typeof createLogger>) => ToolHandlers | Promise<ToolHandlers>;
  /** Facts for ping replies on the command bus (e.g. "sandbox=none"). */
  status?: () => string;
  /** Releases what the handlers hold (connection pools), after the drain. */
  onStop?: () => Promise<void>;
}

/** Adaptive unless turned off, or unless a fixed starting limit was given without asking for it. */
function adaptiveOptions(pool: PoolName, config: WorkerConfig): AdaptiveOptions | false {
  const on = config.TOOLMESH_ADAPTIVE === undefined ? config.TOOLMESH_POOL_LIMIT === undefined : config.TOOLMESH_ADAPTIVE === "true";
  if (!on) return false;
  const min = config.TOOLMESH_POOL_MIN ?? poolDefinition(pool).minLimit;
  const max = Math.max(min, config.TOOLMESH_POOL_MAX ?? poolDefinition(pool).maxLimit);
  return {
    range: { min, max },
    thresholds: {
      cpuPercent: config.TOOLMESH_THRESHOLD_CPU_PERCENT,
      memoryFraction: config.TOOLMESH_THRESHOLD_MEMORY,
      errorRate: config.TOOLMESH_THRESHOLD_ERROR_RATE,
      throughputDrop: config.TOOLMESH_THRESHOLD_THROUGHPUT_DROP,
      minQuality: config.TOOLMESH_THRESHOLD_QUALITY,
    },
  };
}

/**
 * The main() of every worker service: validated config, logs, tracing,
 * /metrics, the NATS connection and the worker, with a graceful drain on
 * SIGTERM/SIGINT (in-flight tasks finish; queued ones stay for other workers).
 */
export async function runWorkerService(options: WorkerServiceOptions): Promise<Worker> {
  const config = loadConfig(options.service, workerConfigSchema);
  const log = createLogger(options.service, config.TOOLMESH_LOG_LEVEL);
  const instanceId = config.TOOLMESH_INSTANCE_ID ?? `${options.service}-${randomUUID().slice(0, 8)}`;
  initTracing(options.service, { otlp: otlpTraceExport(config), instanceId });
  const registry = createRegistry(options.service);
  const handlers = await options.handlers(process.env, log);
  let worker: Worker | undefined;
  // Ready once pulling, and no longer once draining: a Service stops sending it work.
  const metricsServer =
    config.TOOLMESH_METRICS_PORT >= 0
      ? await serveMetrics(
          registry,
          config.TOOLMESH_METRICS_PORT,
          config.TOOLMESH_METRICS_HOST,
          () => worker !== undefined && !worker.draining,
        )
      : undefined;
  const nc = await connectNats(config, options.service);
  worker = await startWorker({
    service: options.service,
    pool: options.pool,
    handlers,
    nc,
    log,
    registry,
    instanceId,
    ...(config.TOOLMESH_POOL_LIMIT ? { limit: config.TOOLMESH_POOL_LIMIT } : {}),
    ackWaitMs: config.TOOLMESH_ACK_WAIT_MS,
    inlineOutputBytes: config.TOOLMESH_INLINE_OUTPUT_BYTES,
    maxOutputBytes: config.TOOLMESH_MAX_OUTPUT_BYTES,
    adaptive: adaptiveOptions(options.pool, config),
    metricsIntervalMs: config.TOOLMESH_METRICS_INTERVAL_MS,
    ...(options.status ? { status: options.status } : {}),
  });
  log.info({ metricsPort: metricsServer?.port, nats: config.TOOLMESH_NATS_URL }, "ready");

  onShutdown(log, async () => {
    await worker.drain(config.TOOLMESH_DRAIN_GRACE_MS);
    await options.onStop?.();
    await nc.drain().catch(() => undefined);
    await metricsServer?.close();
  });
  return worker;
}
