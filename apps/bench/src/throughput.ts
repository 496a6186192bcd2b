/**
 * `toolmesh-bench` (`npm run bench`): tiny no-op calls through the whole toolmesh path (client →
 * gRPC → coordinator → JetStream → worker → back), against raw NATS
 * request/reply (the floor it is built on) and BullMQ on Redis (the usual
 * alternative), each system in its own child processes, at the same call
 * count and concurrency. Suggested defaults: BENCH_DEFAULTS.
 */
import { startNatsServer, type NatsServerHandle } from "@toolmesh/local";
import { startBullmq } from "./bullmq.js";
import { measureTarget, type BenchTarget, type MeasureOptions, type SystemResult } from "./measure.js";
import { startRawNats } from "./raw-nats.js";
import { redisUnreachable } from "./redis-probe.js";
import { buildReport, formatReport, type BenchReport } from "./report.js";
import { withInterruptCleanup } from "./signals.js";
import { startToolmesh } from "./toolmesh.js";

export interface BenchOptions {
  calls: number;
  concurrency: number;
  latencySamples: number;
  redisUrl: string;
  /** An existing nats-server with JetStream; otherwise the bench starts its own. */
  natsUrl?: string;
  out: (line: string) => void;
  skipBullmq?: boolean;
}

export type { BenchReport, TargetCheck } from "./report.js";
export type { SystemResult } from "./measure.js";
export type { LatencySummary } from "./stats.js";

export const BENCH_DEFAULTS = { calls: 5000, concurrency: 64, latencySamples: 500, redisUrl: "redis://127.0.0.1:6379" } as const;

/** Not counted: JIT, connection set-up and the first stream writes. */
const WARMUP_CALLS = 200;

function positiveInteger(value: number, name: string): void {
  if (!Number.isInteger(value) || value < 1) throw new RangeError(`${name} must be a whole number >= 1, got ${value}`);
}

export async function runBench(options: BenchOptions): Promise<BenchReport> {
  positiveInteger(options.calls, "calls");
  positiveInteger(options.concurrency, "concurrency");
  positiveInteger(options.latencySamples, "latencySamples");
  const { out } = options;
  const measure: MeasureOptions = {
    calls: options.calls,
    concurrency: options.concurrency,
    latencySamples: options.latencySamples,
    warmupCalls: WARMUP_CALLS,
    out,
  };

  // What is running right now, so that an error or a signal stops exactly that.
  let nats: NatsServerHandle | undefined;
  let running: BenchTarget | undefined;
  const release = async (): Promise<void> => {
    await running?.close().catch(() => undefined);
    running = undefined;
    await nats?.stop();
    nats = undefined;
  };
  const benchOne = async (start: () => Promise<BenchTarget>): Promise<SystemResult> => {
    running = await start();
    try {
      return await measureTarget(running, measure);
    } finally {
      await running?.close();
      running = undefined;
    }
  };

  return withInterruptCleanup(release, async () => {
    try {
      let natsUrl = options.natsUrl;
      if (!natsUrl) {
        nats = await startNatsServer();
        natsUrl = nats.url;
      }
      out(`nats-server at ${natsUrl}`);

      out("toolmesh: coordinator + testpool worker (child processes), calls over one CallTools stream");
      const toolmesh = await benchOne(() => startToolmesh(natsUrl, options.concurrency, "stream"));
      out("toolmesh: the same, one unary CallTool per call");
      const toolmeshUnary = await benchOne(() => startToolmesh(natsUrl, options.concurrency, "unary"));

      out("raw NATS request/reply: responder (child process)");
      const rawNats = await benchOne(() => startRawNats(natsUrl));

      let bullmq: SystemResult | null = null;
      let bullmqSkipped: string | undefined;
      if (options.skipBullmq) {
        bullmqSkipped = "skipped on request";
      } else {
        const unreachable = await redisUnreachable(options.redisUrl);
        if (unreachable) {
          bullmqSkipped = `Redis at ${options.redisUrl} not reachable`;
          out(`BullMQ: skipped, Redis at ${options.redisUrl} is not reachable (${unreachable})`);
        } else {
          out("BullMQ: worker (child process) on Redis");
          bullmq = await benchOne(() => startBullmq(options.redisUrl, options.concurrency));
        }
      }

      const report = buildReport(
        { calls: options.calls, concurrency: options.concurrency, latencySamples: options.latencySamples, warmupCalls: WARMUP_CALLS },
        toolmesh,
        toolmeshUnary,
        rawNats,
        bullmq,
        bullmqSkipped,
      );
      out("");
      for (const line of formatReport(report)) out(line);
      return report;
    } finally {
      await release();
    }
  });
}
