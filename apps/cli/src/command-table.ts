import { CommandTable, UsageError, type CommandArgs, type CommandSpec, type FlagSpec } from "@toolmesh/command-line";
import { CONNECTION_FLAGS, CONNECTION_USAGE, tlsFlags } from "./connection-flags.js";

const ADDRESS = CONNECTION_USAGE;
const TEMPLATE_TAIL = `${ADDRESS}
  --json                the whole workflow and the report as JSON
  --priority N          0-9; higher goes first when pools are busy

Prints the report on stdout — rendered for the terminal when stdout is one,
Markdown when piped (TOOLMESH_RENDER=markdown|terminal overrides) — and live
progress per pool and per stage on stderr.`;
const TEMPLATE_FLAGS: Record<string, FlagSpec> = { ...CONNECTION_FLAGS, json: { type: "boolean" }, priority: { type: "string" } };
const ROOT = `  --root NAME           PATH is inside this root of the stack (default: the
                        first). An absolute PATH, or one outside the current
                        directory, is mapped to the root that holds it.`;

async function runTemplate(args: CommandArgs): Promise<number> {
  const { resolveConnection } = await import("./connection.js");
  const { templateParams } = await import("./template-params.js");
  const { templateCommand } = await import("./commands/template.js");
  const connection = resolveConnection({ address: args.string("address"), tls: tlsFlags(args) });
  return templateCommand({
    template: args.command,
    params: templateParams(args, connection),
    connection,
    json: args.flag("json"),
    priority: args.wholeNumber("priority"),
  });
}

const one = (args: CommandArgs, what: string, example: string): string => {
  if (args.positionals.length !== 1) throw new UsageError(`${args.fullName} takes one ${what}, e.g. ${example}`);
  return args.positionals[0]!;
};

/** Every command of `toolmesh`, in the order the overview lists them. */
const COMMANDS: CommandSpec[] = [
  {
    name: "up",
    synopsis:
      "up [--root [NAME=]DIR]... [--mcp 'NAME=CMD ARGS...']... [--grpc-port N] [--max-instances N] [--ready-timeout S] [--demo] [--exit]",
    usage: `Starts the stack and stays up: nats-server (unless TOOLMESH_NATS_URL is set),
the coordinator, the MCP gateway (http://127.0.0.1:PORT/mcp; TOOLMESH_MCP_PORT,
default a free port) and the autoscaler, which runs the codebase, web, agent and
(with bubblewrap) bash pools as local processes. Writes .toolmesh/stack.json,
where the other commands find it. Ctrl-C stops everything.

  --root [NAME=]DIR     a codebase root (repeatable; default: the current directory)
  --mcp 'NAME=CMD ARGS...'  an MCP server as the pool mcp-NAME, its tools NAME.<tool>
                        (repeatable; quote it; NAME=http://HOST/mcp for Streamable HTTP;
                        more settings: TOOLMESH_MCP_POOLS, see README)
  --grpc-port N         the coordinator's port (50051; a free one if taken)
  --max-instances N     the autoscaler's cap on worker processes (16)
  --ready-timeout S     seconds the whole stack may take to come up
                        (TOOLMESH_UP_READY_TIMEOUT_S, 300)
  --demo                run explore-codebase over the first root
  --exit                stop after the demo instead of staying up`,
    flags: {
      root: { type: "string", multiple: true },
      mcp: { type: "string", multiple: true },
      "grpc-port": { type: "string" },
      "max-instances": { type: "string" },
      "ready-timeout": { type: "string" },
      demo: { type: "boolean" },
      exit: { type: "boolean" },
    },
    async run(args) {
      args.none();
      const { upCommand } = await import("./commands/up.js");
      const readyTimeoutS = args.seconds("ready-timeout");
      const options = {
        roots: args.strings("root") ?? [process.cwd()],
        mcp: args.strings("mcp") ?? [],
        grpcPort: args.wholeNumber("grpc-port") ?? 50051,
        maxInstances: args.wholeNumber("max-instances") ?? 16,
        ...(readyTimeoutS !== undefined ? { readyTimeoutS } : {}),
        demo: args.flag("demo"),
        exit: args.flag("exit"),
      };
      return upCommand(options);
    },
  },
  {
    name: "status",
    synopsis: "status [--json | --mcp-config | --console]",
    usage: `The stack that \`toolmesh up\` recorded in .toolmesh/stack.json: each
service's health, the pools, and the memory it uses. Exit 1 when it is not
running or a check fails.

  --json                the same as JSON (without the stack's tokens)
  --mcp-config          only the config an HTTP MCP client needs for up's gateway,
                        its bearer token included: {"mcpServers":{"toolmesh":
                        {"type":"http","url":...,"headers":{"Authorization":...}}}}
  --console             only a fresh link to the web console with a one-time
                        login code (it works once, for one browser, for a day)`,
    flags: { json: { type: "boolean" }, "mcp-config": { type: "boolean" }, console: { type: "boolean" } },
    async run(args) {
      args.none();
      const { statusCommand } = await import("./commands/status.js");
      return statusCommand({ json: args.flag("json"), mcpConfig: args.flag("mcp-config"), console: args.flag("console") });
    },
  },
  {
    name: "down",
    synopsis: "down [--timeout S]",
    usage: `Stops the stack that \`toolmesh up\` started (from .toolmesh/stack.json),
from any terminal, as Ctrl-C in up's terminal would.

  --timeout S           seconds to wait before killing it (20)`,
    flags: { timeout: { type: "string" } },
    async run(args) {
      args.none();
      const { downCommand } = await import("./commands/down.js");
      const timeoutS = args.seconds("timeout");
      return downCommand(timeoutS !== undefined ? { timeoutS } : {});
    },
  },
  {
    name: "run",
    synopsis: "run FILE [--json] [--address HOST:PORT] [--tls-ca FILE]",
    usage: `Runs a YAML or JSON workflow with live per-task progress on stderr, then
prints the result.

  --json                the whole Workflow message as JSON (enums by name)
${ADDRESS}`,
    flags: { json: { type: "boolean" }, ...CONNECTION_FLAGS },
    async run(args) {
      const { runCommand } = await import("./commands/run.js");
      return runCommand({
        file: one(args, "FILE", "toolmesh run examples/survey.yaml"),
        address: args.string("address"),
        tls: tlsFlags(args),
        json: args.flag("json"),
      });
    },
  },
  {
    name: "call",
    synopsis: "call TOOL [--args JSON] [--timeout-ms N] [--address HOST:PORT] [--tls-ca FILE]",
    usage: `Runs one tool call and prints its output as JSON.

  --args JSON           the tool's arguments, a JSON object ({})
  --timeout-ms N        per attempt, queue wait included (the coordinator's default)
${ADDRESS}`,
    flags: { args: { type: "string" }, "timeout-ms": { type: "string" }, ...CONNECTION_FLAGS },
    async run(args) {
      const { callCommand } = await import("./commands/call.js");
      return callCommand({
        tool: one(args, "TOOL", `toolmesh call code.grep --args '{"pattern":"TODO"}'`),
        args: args.string("args") ?? "{}",
        address: args.string("address"),
        tls: tlsFlags(args),
        timeoutMs: args.wholeNumber("timeout-ms"),
      });
    },
  },
  {
    name: "explore-codebase",
    synopsis: "explore-codebase PATH [--root NAME] [--question TEXT] [--max-files N] [--max-reads N]",
    usage: `Massive parallel discovery of a tree: globs, per-file analysis, greps for the
question and for structure, reads of the top hits, one report.

${ROOT}
  --question TEXT       what to look for (quote it)
  --max-files N         files to analyse at most
  --max-reads N         top hits to read at most
${TEMPLATE_TAIL}`,
    flags: {
      root: { type: "string" },
      question: { type: "string" },
      "max-files": { type: "string" },
      "max-reads": { type: "string" },
      ...TEMPLATE_FLAGS,
    },
    run: runTemplate,
  },
  {
    name: "explore-web",
    synopsis: "explore-web QUERY... [--max-fetch N] [--no-variants]",
    usage: `Many query variants in parallel, fetch of the top results, dedupe, ranking,
a report citing URLs.

  --max-fetch N         pages to fetch at most
  --no-variants         search the queries as given, no variants
${TEMPLATE_TAIL}`,
    flags: { "max-fetch": { type: "string" }, "no-variants": { type: "boolean" }, ...TEMPLATE_FLAGS },
    run: runTemplate,
  },
  {
    name: "think-layers",
    synopsis: "think-layers GOAL [--path DIR] [--root NAME] [--agents]",
    usage: `gather → analyse → critique → synthesise, each layer in parallel.

  --path DIR            the part of the codebase to gather from
${ROOT.replace(/PATH/g, "DIR")}
  --agents              run the layers as agent.run sub-agents
${TEMPLATE_TAIL}`,
    flags: { path: { type: "string" }, root: { type: "string" }, agents: { type: "boolean" }, ...TEMPLATE_FLAGS },
    run: runTemplate,
  },
  {
    name: "start",
    synopsis: "start GOAL [PATH] [--root NAME]",
    usage: `explore-codebase over PATH and explore-web for GOAL together, then one synthesis.

  --path DIR            the same as PATH
${ROOT}
${TEMPLATE_TAIL}`,
    flags: { path: { type: "string" }, root: { type: "string" }, ...TEMPLATE_FLAGS },
    run: runTemplate,
  },
  {
    name: "mcp",
    synopsis: "mcp [--address HOST:PORT] [--tls-ca FILE]",
    usage: `An MCP server on stdin/stdout for an agent: the tool catalog (code.grep as
code_grep), parallel, workflow and the templates as tools, the templates as
prompts, large outputs as resources. Put it in the agent's MCP config:
  {"mcpServers":{"toolmesh":{"command":"npx","args":["toolmesh","mcp"]}}}
stdout carries only JSON-RPC; messages go to stderr. It needs no token: it
uses the stack's from .toolmesh/stack.json. \`toolmesh up\` also serves MCP
over HTTP behind a bearer token: \`toolmesh status --mcp-config\` prints a
client config with both.

${ADDRESS}`,
    flags: { ...CONNECTION_FLAGS },
    async run(args) {
      args.none();
      const { mcpCommand } = await import("./commands/mcp.js");
      return mcpCommand({ address: args.string("address"), tls: tlsFlags(args) });
    },
  },
  {
    name: "top",
    synopsis: "top [--refresh MS] [--once]",
    usage: `Live view of every pool from the metrics bus: level, limit, in-flight, queue,
calls/s, p50/p99, errors, quality, CPU, memory, replicas; alerts when a seed
threshold is crossed; recent limit and replica changes with their reasons.
NATS: TOOLMESH_NATS_URL, else the running stack's, else nats://127.0.0.1:4222.

  --refresh MS          between frames (2000)
  --once                print one frame and exit`,
    flags: { refresh: { type: "string" }, once: { type: "boolean" } },
    async run(args) {
      args.none();
      const { topCommand } = await import("./commands/top.js");
      return topCommand({ once: args.flag("once"), refreshMs: args.wholeNumber("refresh") ?? 2000 });
    },
  },
];

/** `toolmesh` and its commands. */
export const TOOLMESH = new CommandTable("toolmesh", COMMANDS);

/** `toolmesh --help`: every command, one line each. */
export function overview(): string {
  const lines = COMMANDS.map((c) => `  ${TOOLMESH.synopsis(c)}`);
  return `toolmesh — parallel tool execution for AI agents

usage:
${lines.join("\n")}

\`toolmesh COMMAND --help\` shows a command's flags; the four templates
(explore-codebase, explore-web, think-layers, start) also take --json,
--address, the --tls-* flags and --priority.

The commands after \`up\` find the stack it started through .toolmesh/stack.json
(from the current directory up, or TOOLMESH_STATE_DIR).
environment: TOOLMESH_ADDRESS, TOOLMESH_GRPC_TOKEN and TOOLMESH_GRPC_TLS_* (the coordinator),
TOOLMESH_NATS_URL, TOOLMESH_STATE_DIR, TOOLMESH_RENDER=markdown|terminal
(reports). See README.md.
`;
}
