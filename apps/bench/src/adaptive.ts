/**
 * `toolmesh-bench adaptive` (`npm run bench:adaptive`): the adaptive
 * concurrency limit against the best fixed limit, on the real runtime
 * (nats-server, the coordinator as a child process, a worker in this process
 * pulling from JetStream) in front of a local backend that overloads: it has
 * room for CAPACITY calls at once, slows down past that and refuses calls
 * past 1.5×. A sweep of fixed limits finds the best one; then the adaptive
 * limit starts at the range's minimum and must find its way. Calls are kept
 * flowing by a CallTools stream with far more in flight than any limit.
 */
import { ToolmeshClient } from "@toolmesh/client";
import { ErrorCode, ToolError, baseConfigSchema, connectNats, createLogger, createRegistry, loadConfig } from "@toolmesh/core";
import { startNatsServer, type NatsServerHandle } from "@toolmesh/local";
import { startWorker, type ToolHandlers, type Worker } from "@toolmesh/runtime";
import type { NatsConnection } from "@nats-io/transport-node";
import { setTimeout as sleep } from "node:timers/promises";
import { ProcessGroup, appScript } from "./processes.js";
import { withInterruptCleanup } from "./signals.js";

export interface AdaptiveBenchOptions {
  capacity: number;
  serviceMs: number;
  fixedLimits: number[];
  range: { min: number; max: number };
  /** Seconds measured per fixed limit (after a second of warm-up). */
  measureS: number;
  /** Seconds the adaptive limit gets to converge before it is measured. */
  convergeS: number;
  out: (line: string) => void;
}

export const ADAPTIVE_BENCH_DEFAULTS = {
  capacity: 8,
  serviceMs: 20,
  fixedLimits: [2, 4, 6, 8, 10, 12, 16, 24, 32],
  range: { min: 2, max: 32 },
  measureS: 3,
  convergeS: 8,
};

interface Run {
  label: string;
  callsPerS: number;
  errorRate: number;
  limit: number;
}

function overloadedBackend(capacity: number, serviceMs: number): ToolHandlers {
  let running = 0;
  return {
    "test.echo": async () => {
      running += 1;
      try {
        if (running > capacity * 1.5) throw new ToolError(ErrorCode.UNAVAILABLE, "backend overloaded", { retryable: false });
        await sleep(serviceMs * Math.max(1, running / capacity));
        return { ok: true };
      } finally {
        running -= 1;
      }
    },
  };
}

/** Calls as fast as the pool takes them for `seconds`; counts successes and failures. */
async function drive(client: ToolmeshClient, seconds: number, inFlight = 96): Promise<{ ok: number; failed: number; seconds: number }> {
  const session = client.session();
  const until = performance.now() + seconds * 1000;
  const started = performance.now();
  let ok = 0;
  let failed = 0;
  const loop = async (): Promise<void> => {
    while (performance.now() < until) {
      try {
        await session.call({ tool: "test.echo", args: {}, timeoutMs: 30_000 });
        ok += 1;
      } catch {
        failed += 1;
      }
    }
  };
  await Promise.all(Array.from({ length: inFlight }, loop));
  const elapsed = (performance.now() - started) / 1000;
  await session.close();
  return { ok, failed, seconds: elapsed };
}

export async function runAdaptiveBench(options: AdaptiveBenchOptions): Promise<{ best: Run; adaptive: Run; runs: Run[] }> {
  const { out } = options;
  let nats: NatsServerHandle | undefined;
  let nc: NatsConnection | undefined;
  const group = new ProcessGroup();
  let worker: Worker | undefined;
  const log = createLogger("bench", process.env.BENCH_LOG ?? "silent");
  const release = async (): Promise<void> => {
    await worker?.drain(1000).catch(() => undefined);
    await group.stopAll().catch(() => undefined);
    await nc?.close().catch(() => undefined);
    await nats?.stop();
  };
  return withInterruptCleanup(release, async () => {
    try {
      nats = await startNatsServer();
      // info: the level at which the coordinator announces "ready".
      const [coordinator] = await group.start({
        name: "coordinator",
        script: appScript("coordinator"),
        env: {
          TOOLMESH_NATS_URL: nats.url,
          TOOLMESH_GRPC_HOST: "127.0.0.1",
          TOOLMESH_GRPC_PORT: "0",
          TOOLMESH_METRICS_INTERVAL_MS: "250",
          TOOLMESH_METRICS_PORT: "-1",
          TOOLMESH_LOG_LEVEL: "info",
        },
      });
      nc = await connectNats(loadConfig("bench", baseConfigSchema, { TOOLMESH_NATS_URL: nats.url }), "bench-adaptive");
      const client = new ToolmeshClient(`127.0.0.1:${String(coordinator!.ready.grpcPort)}`);
      const backend = overloadedBackend(options.capacity, options.serviceMs);
      const newWorker = async (limit: number, adaptive: boolean): Promise<Worker> =>
        startWorker({
          service: "bench-backend",
          pool: "test",
          handlers: backend,
          nc: nc!,
          log,
          registry: createRegistry("bench-backend"),
          limit,
          metricsIntervalMs: 250,
          // Every run starts from the range's minimum: nothing learned from the one before.
          ...(adaptive ? { adaptive: { range: options.range, learn: false } } : {}),
        });
      out(
        `backend: room for ${options.capacity} calls of ${options.serviceMs} ms at once, slower past that, refusing past ${options.capacity * 1.5}`,
      );
      const runs: Run[] = [];
      for (const limit of options.fixedLimits) {
        worker = await newWorker(limit, false);
        await drive(client, 1);
        const measured = await drive(client, options.measureS);
        await worker.drain(2000);
        worker = undefined;
        const run = {
          label: `fixed ${limit}`,
          limit,
          callsPerS: measured.ok / measured.seconds,
          errorRate: measured.failed / Math.max(1, measured.ok + measured.failed),
        };
        runs.push(run);
        out(
          `  ${run.label.padEnd(16)} ${run.callsPerS.toFixed(0).padStart(6)} calls/s ok, errors ${(run.errorRate * 100).toFixed(1).padStart(5)} %`,
        );
      }
      worker = await newWorker(options.range.min, true);
      const settling = await drive(client, options.convergeS);
      const limits: number[] = [];
      const sampler = setInterval(() => limits.push(worker!.limiter.limit), 100);
      const measured = await drive(client, options.measureS);
      clearInterval(sampler);
      const meanLimit = limits.reduce((a, b) => a + b, 0) / Math.max(1, limits.length);
      const adaptive = {
        label: `adaptive ${options.range.min}..${options.range.max}`,
        limit: Math.round(meanLimit),
        callsPerS: measured.ok / measured.seconds,
        errorRate: measured.failed / Math.max(1, measured.ok + measured.failed),
      };
      runs.push(adaptive);
      client.close();
      const best =
        runs.filter((r) => r.label.startsWith("fixed") && r.errorRate < 0.05).sort((a, b) => b.callsPerS - a.callsPerS)[0] ?? runs[0]!;
      out(
        `  ${adaptive.label.padEnd(16)} ${adaptive.callsPerS.toFixed(0).padStart(6)} calls/s ok, errors ${(adaptive.errorRate * 100).toFixed(1).padStart(5)} % (limit while measured: mean ${meanLimit.toFixed(1)}, ${Math.min(...limits)}..${Math.max(...limits)})`,
      );
      out(
        `  while settling (${options.convergeS} s from limit ${options.range.min}): ${(settling.ok / settling.seconds).toFixed(0)} calls/s ok, errors ${((settling.failed / Math.max(1, settling.ok + settling.failed)) * 100).toFixed(1)} %`,
      );
      out(`best fixed limit with errors under 5 %: ${best.limit} (${best.callsPerS.toFixed(0)} calls/s)`);
      out(
        `adaptive / best fixed throughput: ${(adaptive.callsPerS / best.callsPerS).toFixed(2)}x; adaptive error rate ${(adaptive.errorRate * 100).toFixed(1)} % (target: ≥ 0.90x and < 5 %)`,
      );
      return { best, adaptive, runs };
    } finally {
      await release();
    }
  });
}
