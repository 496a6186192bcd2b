import { INLINE_OUTPUT_BYTES, MAX_OUTPUT_BYTES, poolDefinition, type Logger, type PoolName } from "@toolmesh/core";
import type { NatsConnection } from "@nats-io/transport-node";
import { randomUUID } from "node:crypto";
import type { Registry } from "prom-client";
import type { AdaptiveOptions } from "./adaptive.js";
import type { ToolHandlers } from "./handler.js";

/**
 * Every worker default, written once: the env schema of runWorkerService and
 * startWorker both read them here, so a worker started from code and one
 * started from env cannot drift apart.
 */
export const WORKER_DEFAULTS = {
  ackWaitMs: 30_000,
  drainGraceMs: 30_000,
  metricsIntervalMs: 2000,
  pullExpiresMs: 2000,
  inlineOutputBytes: INLINE_OUTPUT_BYTES,
  maxOutputBytes: MAX_OUTPUT_BYTES,
} as const;

/** Lower bounds: below them the consumer redelivers before a heartbeat can land, or outputs cannot carry an error. */
export const WORKER_BOUNDS = {
  minAckWaitMs: 500,
  minOutputBytes: 1024,
} as const;

/** Deliveries of one attempt before the consumer gives it up (the ledger answers the last one whatever it finds). */
export const POOL_MAX_DELIVER = 5;

export interface WorkerOptions {
  service: string;
  pool: PoolName;
  handlers: ToolHandlers;
  nc: NatsConnection;
  log: Logger;
  registry: Registry;
  instanceId?: string;
  /** Starting limit; the pool's minimum by default. */
  limit?: number;
  /** Consumer ack wait: how long a dead worker's task waits before redelivery. */
  ackWaitMs?: number;
  metricsIntervalMs?: number;
  /** How long a pull waits for work before it is renewed. */
  pullExpiresMs?: number;
  /** Facts an operator must see in ping replies (e.g. "sandbox=none"). */
  status?: () => string;
  /** Outputs above this go to the object store (default 256 KiB, capped by the server's max_payload). */
  inlineOutputBytes?: number;
  /** Outputs above this fail with RESOURCE_EXHAUSTED (default 64 MiB). */
  maxOutputBytes?: number;
  /** Adaptive concurrency within a range; off (a fixed limit) when omitted or false. */
  adaptive?: AdaptiveOptions | false;
}

/** Options with every default applied; the type says so, so nothing downstream writes `?? default` again. */
export interface CompiledWorkerOptions extends Required<Omit<WorkerOptions, "status" | "adaptive">> {
  status: (() => string) | undefined;
  adaptive: AdaptiveOptions | false;
  /** How often a running task touches its message: three times per ack wait, never more than every 100 ms. */
  heartbeatMs: number;
  minLimit: number;
  maxLimit: number;
}

export class WorkerOptionsError extends Error {
  override readonly name = "WorkerOptionsError";
  constructor(
    readonly option: string,
    message: string,
  ) {
    super(`${option}: ${message}`);
  }
}

function atLeast(option: string, value: number, min: number): number {
  if (!Number.isFinite(value) || value < min) throw new WorkerOptionsError(option, `must be a number >= ${min}, got ${String(value)}`);
  return value;
}

export function compileWorkerOptions(options: WorkerOptions): CompiledWorkerOptions {
  const range = poolDefinition(options.pool);
  const limit = options.limit ?? range.minLimit;
  if (!Number.isInteger(limit) || limit < 1) throw new WorkerOptionsError("limit", `must be a whole number >= 1, got ${String(limit)}`);
  const ackWaitMs = atLeast("ackWaitMs", options.ackWaitMs ?? WORKER_DEFAULTS.ackWaitMs, WORKER_BOUNDS.minAckWaitMs);
  const inlineOutputBytes = atLeast(
    "inlineOutputBytes",
    options.inlineOutputBytes ?? WORKER_DEFAULTS.inlineOutputBytes,
    WORKER_BOUNDS.minOutputBytes,
  );
  const maxOutputBytes = atLeast("maxOutputBytes", options.maxOutputBytes ?? WORKER_DEFAULTS.maxOutputBytes, WORKER_BOUNDS.minOutputBytes);
  return {
    service: options.service,
    pool: options.pool,
    handlers: options.handlers,
    nc: options.nc,
    log: options.log,
    registry: options.registry,
    instanceId: options.instanceId ?? `${options.service}-${randomUUID().slice(0, 8)}`,
    limit,
    ackWaitMs,
    heartbeatMs: Math.max(100, Math.floor(ackWaitMs / 3)),
    metricsIntervalMs: atLeast("metricsIntervalMs", options.metricsIntervalMs ?? WORKER_DEFAULTS.metricsIntervalMs, 1),
    pullExpiresMs: atLeast("pullExpiresMs", options.pullExpiresMs ?? WORKER_DEFAULTS.pullExpiresMs, 1),
    status: options.status,
    inlineOutputBytes,
    maxOutputBytes,
    adaptive: options.adaptive ?? false,
    minLimit: range.minLimit,
    maxLimit: range.maxLimit,
  };
}
