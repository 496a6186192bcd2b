import { CommandTable, UsageError, type CommandSpec } from "@toolmesh/command-line";
import { BENCH_DEFAULTS as D, BenchOptionsError, SYSTEM_KEYS } from "./options.js";

const out = (line: string): void => void process.stdout.write(`${line}\n`);

/** Every benchmark; the one named "" runs when no subcommand is given. */
const BENCH_COMMANDS: CommandSpec[] = [
  {
    name: "",
    synopsis:
      "[--rounds N] [--round-seconds S] [--concurrency N] [--coordinators N] [--workflow-tasks N] [--redis URL] [--no-bullmq] [--no-explore]",
    usage: `No-op calls through the whole toolmesh path against raw NATS request/reply,
one persisted JetStream hop, both hops persisted, BullMQ (one add per job)
and BullMQ addBulk. Every system runs in its own processes, all started
once; short rounds interleave them (order rotated each round) so a noisy
machine slows all alike. Prints one table: calls/s, p50/p99, one-call p50
and CPU ms per call of every process (from /proc), medians with min–max
over rounds, and toolmesh's ratios against each baseline. Then a flat
workflow and a fan-out (persisted), RSS of each process, and
\`toolmesh-bench explore\`. Starts its own stack.
See also \`toolmesh-bench adaptive --help\`, \`toolmesh-bench explore --help\` and \`toolmesh-bench mcp --help\`.

  --rounds N            measured rounds (${D.rounds})
  --round-seconds S     each system's window in a round (${D.roundSeconds})
  --warmup-seconds S    warm-up per system, not counted (${D.warmupSeconds})
  --concurrency N       calls in flight (${D.concurrency})
  --sequential-calls N  calls one at a time after each window (${D.sequentialCalls})
  --coordinators N      coordinator processes; calls round-robin over those serving (${D.coordinators})
  --workflow-tasks N    tasks of the flat workflow and items of the fan-out, 0 skips (${D.workflowTasks})
  --bulk-batch N        addBulk batch size of the bulk BullMQ baseline (${D.bulkBatch})
  --redis URL           BullMQ's Redis (${D.redisUrl})
  --no-bullmq           skip both BullMQ baselines
  --only KEYS           only these systems run rounds, comma-separated (${SYSTEM_KEYS.join(",")})
  --no-explore          skip the explore benchmark at the end`,
    flags: {
      rounds: { type: "string" },
      "round-seconds": { type: "string" },
      "warmup-seconds": { type: "string" },
      concurrency: { type: "string" },
      "sequential-calls": { type: "string" },
      coordinators: { type: "string" },
      "workflow-tasks": { type: "string" },
      "bulk-batch": { type: "string" },
      redis: { type: "string" },
      "no-bullmq": { type: "boolean" },
      "no-explore": { type: "boolean" },
      only: { type: "string" },
    },
    async run(args) {
      args.none();
      const { runBench } = await import("./throughput.js");
      const given = {
        rounds: args.wholeNumber("rounds"),
        roundSeconds: args.seconds("round-seconds"),
        warmupSeconds: args.seconds("warmup-seconds"),
        concurrency: args.wholeNumber("concurrency"),
        sequentialCalls: args.wholeNumber("sequential-calls"),
        coordinators: args.wholeNumber("coordinators"),
        workflowTasks: args.wholeNumber("workflow-tasks"),
        bulkBatch: args.wholeNumber("bulk-batch"),
        redisUrl: args.string("redis"),
        skipBullmq: args.flag("no-bullmq") || undefined,
        explore: args.flag("no-explore") ? false : undefined,
        only: args
          .string("only")
          ?.split(",")
          .map((key) => key.trim()),
      };
      try {
        await runBench(Object.fromEntries(Object.entries(given).filter(([, v]) => v !== undefined)), out);
      } catch (err) {
        if (err instanceof BenchOptionsError) throw new UsageError(err.message);
        throw err;
      }
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
