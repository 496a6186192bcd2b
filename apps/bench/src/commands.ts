import { CommandTable, UsageError, type CommandSpec } from "@toolmesh/command-line";

const out = (line: string): void => void process.stdout.write(`${line}\n`);

/** Every benchmark; the one named "" runs when no subcommand is given. */
const BENCH_COMMANDS: CommandSpec[] = [
  {
    name: "",
    synopsis: "[--calls N] [--concurrency N] [--redis URL] [--no-bullmq]",
    usage: `No-op calls through the whole path, against raw NATS request/reply and
BullMQ; prints throughput, latency and the ratios. Starts its own stack.
See also \`toolmesh-bench adaptive --help\`, \`toolmesh-bench explore --help\` and \`toolmesh-bench mcp --help\`.

  --calls N             calls per target (5000)
  --concurrency N       calls in flight (64)
  --redis URL           BullMQ's Redis (redis://127.0.0.1:6379)
  --no-bullmq           skip BullMQ`,
    flags: { calls: { type: "string" }, concurrency: { type: "string" }, redis: { type: "string" }, "no-bullmq": { type: "boolean" } },
    async run(args) {
      args.none();
      const { BENCH_DEFAULTS, runBench } = await import("./throughput.js");
      await runBench({
        calls: args.wholeNumber("calls") ?? BENCH_DEFAULTS.calls,
        concurrency: args.wholeNumber("concurrency") ?? BENCH_DEFAULTS.concurrency,
        latencySamples: BENCH_DEFAULTS.latencySamples,
        redisUrl: args.string("redis") ?? BENCH_DEFAULTS.redisUrl,
        skipBullmq: args.flag("no-bullmq"),
        out,
      });
      return 0;
    },
  },
  {
    name: "adaptive",
    synopsis: "adaptive",
    usage: `The adaptive concurrency limit against a sweep of fixed limits, in front of a
local backend that slows down and then fails when overloaded.`,
    flags: {},
    async run(args) {
      args.none();
      const { ADAPTIVE_BENCH_DEFAULTS, runAdaptiveBench } = await import("./adaptive.js");
      await runAdaptiveBench({ ...ADAPTIVE_BENCH_DEFAULTS, out });
      return 0;
    },
  },
  {
    name: "mcp",
    synopsis: "mcp [--reads N] [--instances N]",
    usage: `An MCP client reading files from @modelcontextprotocol/server-filesystem one by
one, straight to the server, against the same reads all at once through
toolmesh (\`parallel\` via toolmesh mcp, over the pool mcp-fs of that server);
prints both times, the ratio, the latency one call adds and CPU per call.
Starts its own stack.

  --reads N             files read in each run (100)
  --instances N         instances of the pool mcp-fs (4)`,
    flags: { reads: { type: "string" }, instances: { type: "string" } },
    async run(args) {
      args.none();
      const { MCP_BENCH_DEFAULTS, runMcpBench } = await import("./mcp.js");
      await runMcpBench({
        ...MCP_BENCH_DEFAULTS,
        reads: args.wholeNumber("reads") ?? MCP_BENCH_DEFAULTS.reads,
        instances: args.wholeNumber("instances") ?? MCP_BENCH_DEFAULTS.instances,
        out,
      });
      return 0;
    },
  },
  {
    name: "explore",
    synopsis: "explore [PATH] [--question TEXT] [--max-files N]",
    usage: `explore-codebase over PATH (.) fanned out, against the same workflow with one
call at a time; prints both times and the speed-up.

  --question TEXT       the template's question
  --max-files N         files to analyse at most (1000)`,
    flags: { question: { type: "string" }, "max-files": { type: "string" } },
    async run(args) {
      if (args.positionals.length > 1) throw new UsageError(`${args.fullName} takes at most one PATH`);
      const { runExploreBench } = await import("./explore.js");
      await runExploreBench({
        path: args.positionals[0] ?? ".",
        question: args.string("question") ?? "how are tasks dispatched and their results collected",
        maxFiles: args.wholeNumber("max-files") ?? 1000,
        out,
      });
      return 0;
    },
  },
];

/** `toolmesh-bench` and its benchmarks. */
export const BENCH = new CommandTable("toolmesh-bench", BENCH_COMMANDS);
