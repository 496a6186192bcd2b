import { performance } from "node:perf_hooks";
import { runPool } from "./pool.js";
import { summarize, type LatencySummary } from "./stats.js";

/** One system under test: a single request/response round trip by index. */
export interface BenchTarget {
  name: string;
  call(index: number): Promise<void>;
  close(): Promise<void>;
}

export interface SystemResult {
  name: string;
  calls: number;
  concurrency: number;
  seconds: number;
  /** Completed calls per second with `concurrency` in flight. */
  throughput: number;
  /** Per-call latency while `concurrency` calls are in flight. */
  concurrent: LatencySummary;
  /** Latency of calls issued one at a time. */
  sequential: LatencySummary;
}

export interface MeasureOptions {
  calls: number;
  concurrency: number;
  latencySamples: number;
  warmupCalls: number;
  out: (line: string) => void;
}

/**
 * Warm-up (JIT, connections, stream/consumer caches), then the pipelined
 * phase, then the sequential one. Warm-up calls use indexes past the measured
 * ones so systems keyed by index never see a duplicate.
 */
export async function measureTarget(target: BenchTarget, options: MeasureOptions): Promise<SystemResult> {
  const { calls, concurrency, latencySamples, warmupCalls } = options;
  await runPool(warmupCalls, concurrency, (i) => target.call(calls + latencySamples + i));

  const latencies = new Array<number>(calls);
  const started = performance.now();
  await runPool(calls, concurrency, async (i) => {
    const t0 = performance.now();
    await target.call(i);
    latencies[i] = performance.now() - t0;
  });
  const seconds = (performance.now() - started) / 1000;

  const sequential: number[] = [];
  for (let i = 0; i < latencySamples; i++) {
    const t0 = performance.now();
    await target.call(calls + i);
    sequential.push(performance.now() - t0);
  }
  const result: SystemResult = {
    name: target.name,
    calls,
    concurrency,
    seconds,
    throughput: calls / seconds,
    concurrent: summarize(latencies),
    sequential: summarize(sequential),
  };
  options.out(
    `  ${target.name}: ${result.throughput.toFixed(0)} calls/s, p50 ${result.concurrent.p50Ms.toFixed(2)} ms, sequential p50 ${result.sequential.p50Ms.toFixed(2)} ms`,
  );
  return result;
}
