import { createLogger, poolDefinition } from "@toolmesh/core";
import { WORKER_DEFAULTS, WorkerOptionsError, compileWorkerOptions, workerConfigSchema, type WorkerOptions } from "@toolmesh/runtime";
import type { NatsConnection } from "@nats-io/transport-node";
import { Registry } from "prom-client";
import { describe, expect, it } from "vitest";

// compileWorkerOptions never touches the connection: a stand-in is enough.
const base: WorkerOptions = {
  service: "unit",
  pool: "test",
  handlers: {},
  nc: {} as NatsConnection,
  log: createLogger("unit", "silent"),
  registry: new Registry(),
};

describe("compileWorkerOptions", () => {
  it("applies every default once", () => {
    const compiled = compileWorkerOptions(base);
    expect(compiled.ackWaitMs).toBe(30_000);
    expect(compiled.inlineOutputBytes).toBe(256 * 1024);
    expect(compiled.maxOutputBytes).toBe(64 * 1024 * 1024);
    expect(compiled.metricsIntervalMs).toBe(WORKER_DEFAULTS.metricsIntervalMs);
    expect(compiled.pullExpiresMs).toBe(WORKER_DEFAULTS.pullExpiresMs);
    expect(compiled.limit).toBe(poolDefinition("test").minLimit);
    expect(compiled.minLimit).toBe(poolDefinition("test").minLimit);
    expect(compiled.maxLimit).toBe(poolDefinition("test").maxLimit);
    expect(compiled.adaptive).toBe(false);
    expect(compiled.status).toBeUndefined();
    expect(compiled.instanceId).toMatch(/^unit-[0-9a-f]{8}$/);
  });

  it("keeps what the caller gave", () => {
    const status = (): string => "sandbox=none";
    const compiled = compileWorkerOptions({ ...base, instanceId: "w1", limit: 3, ackWaitMs: 900, maxOutputBytes: 4096, status });
    expect(compiled).toMatchObject({ instanceId: "w1", limit: 3, ackWaitMs: 900, maxOutputBytes: 4096, status });
  });

  it("heartbeats three times per ack wait, never faster than every 100 ms", () => {
    expect(compileWorkerOptions(base).heartbeatMs).toBe(10_000);
    expect(compileWorkerOptions({ ...base, ackWaitMs: 600 }).heartbeatMs).toBe(200);
    expect(compileWorkerOptions({ ...base, ackWaitMs: 500 }).heartbeatMs).toBe(166);
  });

  it.each([
    ["limit", { limit: 0 }],
    ["limit", { limit: 1.5 }],
    ["ackWaitMs", { ackWaitMs: 499 }],
    ["inlineOutputBytes", { inlineOutputBytes: 1023 }],
    ["maxOutputBytes", { maxOutputBytes: Number.NaN }],
    ["pullExpiresMs", { pullExpiresMs: 0 }],
  ])("rejects an out-of-bounds %s", (option, override) => {
    expect(() => compileWorkerOptions({ ...base, ...override })).toThrow(WorkerOptionsError);
    expect(() => compileWorkerOptions({ ...base, ...override })).toThrow(new RegExp(`^${option}:`));
  });

  it("is the source of the env schema's defaults", () => {
    const config = workerConfigSchema.parse({});
    expect(config.TOOLMESH_ACK_WAIT_MS).toBe(WORKER_DEFAULTS.ackWaitMs);
    expect(config.TOOLMESH_DRAIN_GRACE_MS).toBe(WORKER_DEFAULTS.drainGraceMs);
    expect(config.TOOLMESH_INLINE_OUTPUT_BYTES).toBe(WORKER_DEFAULTS.inlineOutputBytes);
    expect(config.TOOLMESH_MAX_OUTPUT_BYTES).toBe(WORKER_DEFAULTS.maxOutputBytes);
  });
});
