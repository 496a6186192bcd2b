import { parseArgs } from "node:util";
import { callCommand } from "./commands/call.js";
import { runCommand } from "./commands/run.js";
import { upCommand } from "./commands/up.js";

const USAGE = `toolmesh — parallel tool execution for AI agents

usage:
  toolmesh up [--root DIR]... [--grpc-port N] [--demo] [--exit]
      nats-server (unless TOOLMESH_NATS_URL is set), the coordinator and the
      codebase pool; --demo runs a real workflow over the first root, --exit
      stops after it. Ctrl-C stops everything.
  toolmesh run FILE [--json] [--address HOST:PORT]
      runs a YAML or JSON workflow with live per-task progress.
  toolmesh call TOOL --args JSON [--timeout-ms N] [--address HOST:PORT]
      runs one tool call and prints its output as JSON.
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
      help: { type: "boolean", short: "h", default: false },
    },
  });
  if (values.help || !command || command === "help") {
    process.stdout.write(USAGE);
    return command ? 0 : 2;
  }
  switch (command) {
    case "up":
      return upCommand({ roots: values.root ?? [process.cwd()], grpcPort: wholeNumber(values["grpc-port"], "--grpc-port"), demo: values.demo, exit: values.exit });
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
      const { benchCommand } = await import("./commands/bench.js");
      return benchCommand({
        calls: wholeNumber(values.calls, "--calls"),
        concurrency: wholeNumber(values.concurrency, "--concurrency"),
        redisUrl: values.redis,
        skipBullmq: values["no-bullmq"],
      });
    }
    default:
      throw new UsageError(`unknown command "${command}"`);
  }
}

class UsageError extends Error {}

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
