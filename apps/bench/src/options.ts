/**
 * The default benchmark's options (`toolmesh-bench [flags]`), their
 * defaults in one place, and the one check that a set of them can run.
 */
export interface InterleavedOptions {
  /** Measured rounds; each runs every system once, in an order rotated each round. */
  rounds: number;
  /** Length of one system's window in a round, seconds. */
  roundSeconds: number;
  /** Warm-up per system before the first round (not counted), seconds. */
  warmupSeconds: number;
  /** Calls in flight in every system. */
  concurrency: number;
  /** Calls made one at a time after each window, for the one-call latency. */
  sequentialCalls: number;
  /** Coordinator processes against the one nats-server; calls go round-robin over those that answer. */
  coordinators: number;
  /** Tasks of the flat workflow and items of the fan-out in the workflow benchmark; 0 skips it. */
  workflowTasks: number;
  redisUrl: string;
  skipBullmq: boolean;
  /** addBulk batch size of the bulk BullMQ baseline. */
  bulkBatch: number;
  /** Run the explore benchmark after the rest (over `explorePath`). */
  explore: boolean;
  explorePath: string;
  /** An existing nats-server with JetStream and no auth; otherwise the bench starts its own. */
  natsUrl?: string;
  /** Only these systems run rounds (their keys, e.g. toolmesh-stream, js-one-hop); all when undefined. */
  only?: string[];
}

/** Every system's key, in the order they start. */
export const SYSTEM_KEYS = ["toolmesh-stream", "toolmesh-unary", "raw-nats", "js-one-hop", "js-both", "bullmq", "bullmq-bulk"] as const;

export const BENCH_DEFAULTS = {
  rounds: 10,
  roundSeconds: 3,
  warmupSeconds: 1,
  concurrency: 64,
  sequentialCalls: 50,
  coordinators: 1,
  workflowTasks: 1000,
  redisUrl: "redis://127.0.0.1:6379",
  skipBullmq: false,
  bulkBatch: 64,
  explore: true,
  explorePath: ".",
} as const satisfies InterleavedOptions;

/** A set of options the bench cannot run, named by the first option at fault. */
export class BenchOptionsError extends RangeError {
  override readonly name = "BenchOptionsError";
  constructor(
    readonly option: keyof InterleavedOptions,
    message: string,
  ) {
    super(`${option} ${message}`);
  }
}

const INTEGER_LIMITS: Array<[keyof InterleavedOptions, number, number]> = [
  ["rounds", 1, 1000],
  ["concurrency", 1, 256],
  ["sequentialCalls", 1, 100_000],
  ["coordinators", 1, 16],
  ["workflowTasks", 0, 1000],
  ["bulkBatch", 1, 10_000],
];

/** The options with defaults filled in, or a BenchOptionsError. */
export function benchOptions(given: Partial<InterleavedOptions> = {}): InterleavedOptions {
  const options: InterleavedOptions = { ...BENCH_DEFAULTS, ...given };
  for (const [key, min, max] of INTEGER_LIMITS) {
    const value = options[key];
    if (typeof value !== "number" || !Number.isInteger(value) || value < min || value > max)
      throw new BenchOptionsError(key, `must be a whole number from ${min} to ${max}, got ${String(value)}`);
  }
  for (const key of ["roundSeconds", "warmupSeconds"] as const) {
    const value = options[key];
    if (!Number.isFinite(value) || value <= 0 || value > 600) throw new BenchOptionsError(key, `must be seconds in (0, 600], got ${value}`);
  }
  if (!/^rediss?:\/\//.test(options.redisUrl)) throw new BenchOptionsError("redisUrl", `must be a redis:// URL, got "${options.redisUrl}"`);
  if (options.natsUrl !== undefined && !/^(nats|tls):\/\//.test(options.natsUrl))
    throw new BenchOptionsError("natsUrl", `must be a nats:// URL, got "${options.natsUrl}"`);
  const unknown = options.only?.find((key) => !(SYSTEM_KEYS as readonly string[]).includes(key));
  if (unknown !== undefined) throw new BenchOptionsError("only", `names an unknown system "${unknown}"; one of ${SYSTEM_KEYS.join(", ")}`);
  if (options.only?.length === 0) throw new BenchOptionsError("only", "names no system");
  return options;
}
