import { parseArgs } from "node:util";
import { callCommand } from "./commands/call.js";
import { runCommand } from "./commands/run.js";
import { upCommand } from "./commands/up.js";

const USAGE = `toolmesh — parallel tool execution for AI agents

usage:
  toolmesh up [--root DIR]... [--grpc-port N] [--max-instances N] [--demo] [--exit]
      nats-server (unless TOOLMESH_NATS_URL is set), the coordinator and the
      autoscaler, which runs the codebase, web, agent and (with bubblewrap)
      bash pools as local processes, at most N in all (16); --demo runs
      explore-codebase over the first root, --exit stops after it. Ctrl-C
      stops everything.
  toolmesh run FILE [--json] [--address HOST:PORT]
      runs a YAML or JSON workflow with live per-task progress.
  toolmesh call TOOL --args JSON [--timeout-ms N] [--address HOST:PORT]
      runs one tool call and prints its output as JSON.
  toolmesh explore-codebase PATH [--question TEXT] [--max-files N] [--max-reads N]
      massive parallel discovery of a tree: globs, per-file analysis, greps
      for the question and for structure, reads of the top hits, one report.
  toolmesh explore-web QUERY... [--max-fetch N] [--no-variants]
      many query variants in parallel, fetch of the top results, dedupe,
      ranking, a report citing URLs.
  toolmesh think-layers GOAL [--path DIR] [--agents]
      gather → analyse → critique → synthesise, each layer in parallel.
  toolmesh start GOAL [PATH]
      explore-codebase and explore-web together, then one synthesis.
      (These four print the report on stdout, --json the whole workflow;
      live progress per pool and per stage goes to stderr.)
  toolmesh top [--refresh MS] [--once]
      live view of every pool from the metrics bus (TOOLMESH_NATS_URL): level,
      limit, in-flight, queue, calls/s, p50/p99, errors, quality, CPU, memory,
      replicas; alerts when a seed threshold is crossed; recent limit and
      replica changes with their reasons.
  toolmesh bench adaptive
      the adaptive concurrency limit against a sweep of fixed limits, in front
      of a local backend that slows down and then fails when overloaded.
  toolmesh bench explore [PATH] [--question TEXT] [--max-files N]
      explore-codebase over PATH fanned out, against the same workflow with
      one call at a time; prints both times and the speed-up.
  toolmesh bench [--calls N] [--concurrency N] [--redis URL] [--no-bullmq]
      no-op calls through the whole path against raw NATS request/reply
      and BullMQ; prints throughput, latency and the ratios.

environment: TOOLMESH_ADDRESS (default 127.0.0.1:50051), TOOLMESH_GRPC_TOKEN,
TOOLMESH_NATS_URL. See README.md.
`;

async function main(argv: string[]): Promise<number> {
  const [first, ...rest] = argv;
  const command = first === "--help" || first === "-h" ? "help" : first;
  const { values, positionals } = parseArgs({
    args: rest,
    allowPositionals: true,
    options: {
      root: { type: "string", multiple: true },
      "grpc-port": { type: "string", default: "50051" },
      demo: { type: "boolean", default: false },
      exit: { type: "boolean", default: false },
      json: { type: "boolean", default: false },
      address: { type: "string" },
      args: { type: "string", default: "{}" },
      "timeout-ms": { type: "string" },
      calls: { type: "string", default: "5000" },
      concurrency: { type: "string", default: "64" },
      redis: { type: "string", default: "redis://127.0.0.1:6379" },
      "no-bullmq": { type: "boolean", default: false },
      question: { type: "string" },
      "max-files": { type: "string" },
      "max-reads": { type: "string" },
      "max-fetch": { type: "string" },
      "no-variants": { type: "boolean", default: false },
      path: { type: "string" },
      agents: { type: "boolean", default: false },
      priority: { type: "string" },
      once: { type: "boolean", default: false },
      "max-instances": { type: "string" },
      refresh: { type: "string" },
      help: { type: "boolean", short: "h", default: false },
    },
  });
  if (values.help || !command || command === "help") {
    process.stdout.write(USAGE);
    return command ? 0 : 2;
  }
  switch (command) {
    case "up":
      return upCommand({
        roots: values.root ?? [process.cwd()],
        grpcPort: wholeNumber(values["grpc-port"], "--grpc-port"),
        demo: values.demo,
        exit: values.exit,
        maxInstances: values["max-instances"] ? wholeNumber(values["max-instances"], "--max-instances") : 16,
      });
    case "run":
      if (positionals.length !== 1) throw new UsageError("toolmesh run takes one FILE");
      return runCommand({ file: positionals[0]!, address: values.address, json: values.json });
    case "call":
      if (positionals.length !== 1) throw new UsageError("toolmesh call takes one TOOL, e.g. toolmesh call code.grep --args '{\"pattern\":\"TODO\"}'");
      return callCommand({
        tool: positionals[0]!,
        args: values.args,
        address: values.address,
        timeoutMs: values["timeout-ms"] ? wholeNumber(values["timeout-ms"], "--timeout-ms") : undefined,
      });
    case "bench": {
      if (positionals[0] === "adaptive") {
        const { ADAPTIVE_BENCH_DEFAULTS, runAdaptiveBench } = await import("./bench/adaptive.js");
        await runAdaptiveBench({ ...ADAPTIVE_BENCH_DEFAULTS, out: (line) => void process.stdout.write(`${line}\n`) });
        return 0;
      }
      if (positionals[0] === "explore") {
        const { runExploreBench } = await import("./bench/explore.js");
        await runExploreBench({
          path: positionals[1] ?? ".",
          question: values.question ?? "how are tasks dispatched and their results collected",
          maxFiles: values["max-files"] ? wholeNumber(values["max-files"], "--max-files") : 1000,
          out: (line) => void process.stdout.write(`${line}\n`),
        });
        return 0;
      }
      const { benchCommand } = await import("./commands/bench.js");
      return benchCommand({
        calls: wholeNumber(values.calls, "--calls"),
        concurrency: wholeNumber(values.concurrency, "--concurrency"),
        redisUrl: values.redis,
        skipBullmq: values["no-bullmq"],
      });
    }
    case "top": {
      const { topCommand } = await import("./commands/top.js");
      return topCommand({ once: values.once, refreshMs: values.refresh ? wholeNumber(values.refresh, "--refresh") : 2000 });
    }
    case "explore-codebase":
    case "explore-web":
    case "think-layers":
    case "start": {
      const { templateCommand } = await import("./commands/template.js");
      return templateCommand({
        template: command,
        params: templateParams(command, positionals, values),
        address: values.address,
        json: values.json,
        priority: values.priority ? wholeNumber(values.priority, "--priority") : undefined,
      });
    }
    default:
      throw new UsageError(`unknown command "${command}"`);
  }
}

class UsageError extends Error {}

/** A template's parameters from its command line; the coordinator validates them. */
function templateParams(command: string, positionals: string[], values: Record<string, string | boolean | string[] | undefined>): Record<string, unknown> {
  const number = (flag: string): number | undefined => (typeof values[flag] === "string" ? wholeNumber(values[flag], `--${flag}`) : undefined);
  const defined = (params: Record<string, unknown>): Record<string, unknown> => Object.fromEntries(Object.entries(params).filter(([, v]) => v !== undefined));
  switch (command) {
    case "explore-codebase":
      if (positionals.length > 1) throw new UsageError("explore-codebase takes one PATH (quote a --question with spaces)");
      return defined({ path: positionals[0] ?? ".", question: values.question, maxFiles: number("max-files"), maxReads: number("max-reads") });
    case "explore-web":
      if (positionals.length === 0) throw new UsageError("explore-web needs at least one QUERY");
      return defined({ queries: positionals, maxFetch: number("max-fetch"), variants: values["no-variants"] ? false : undefined });
    case "think-layers":
      if (positionals.length === 0) throw new UsageError("think-layers needs a GOAL");
      return defined({ goal: positionals.join(" "), path: values.path, useAgents: values.agents || undefined });
    default:
      if (positionals.length === 0 || positionals.length > 2) throw new UsageError("start takes a GOAL and an optional PATH");
      return defined({ goal: positionals[0], path: positionals[1] ?? values.path });
  }
}

function wholeNumber(text: string, flag: string): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 0) throw new UsageError(`${flag} must be a whole number, got "${text}"`);
  return n;
}

try {
  process.exitCode = await main(process.argv.slice(2));
} catch (err) {
  if (err instanceof UsageError || (err instanceof TypeError && "code" in err && String(err.code).startsWith("ERR_PARSE_ARGS"))) {
    process.stderr.write(`error: ${err.message}\n\n${USAGE}`);
    process.exitCode = 2;
  } else {
    throw err;
  }
}
