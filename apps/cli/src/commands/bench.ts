import { runBench } from "../bench/index.js";

export interface BenchCommandOptions {
  calls: number;
  concurrency: number;
  redisUrl: string;
  skipBullmq: boolean;
}

/** `toolmesh bench`: see bench/index.ts. */
export async function benchCommand(options: BenchCommandOptions): Promise<number> {
  await runBench({
    calls: options.calls,
    concurrency: options.concurrency,
    latencySamples: 500,
    redisUrl: options.redisUrl,
    skipBullmq: options.skipBullmq,
    out: (line) => void process.stdout.write(`${line}\n`),
  });
  return 0;
}
