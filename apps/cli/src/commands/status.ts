import { mintLoginCode } from "@toolmesh/console";
import { connect } from "@nats-io/transport-node";
import { findStack, processIsAlive, processMemory, processTree, type StackState } from "@toolmesh/local";
import { clientFrom, describeGrpcError, stackRoleEnv } from "../connection.js";

export interface StatusOptions {
  json: boolean;
  /** Print an HTTP MCP client's config for the stack's gateway (URL and bearer header) instead. */
  mcpConfig?: boolean | undefined;
  /** Print a console link with a fresh one-time login code. */
  console?: boolean | undefined;
}

interface Check {
  name: string;
  pid?: number | undefined;
  ok: boolean;
  detail: string;
}

interface StatusReport {
  state: StackState;
  statePath: string;
  checks: Check[];
  pools: { pool: string; instances: number; limit: number; inFlight: number }[];
  footprint: { processes: number; rssBytes: number; byProcess: { pid: number; command: string; rssBytes: number }[] };
}

async function httpOk(url: string): Promise<boolean> {
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(3000) });
    return response.ok;
  } catch {
    return false;
  }
}

async function checkNats(state: StackState): Promise<Check> {
  const url = state.natsUrl;
  try {
    const login = stackRoleEnv(state, "observer");
    const nc = await connect({
      servers: url,
      timeout: 3000,
      reconnect: false,
      ...(login.TOOLMESH_NATS_USER
        ? { user: login.TOOLMESH_NATS_USER, pass: login.TOOLMESH_NATS_PASSWORD, inboxPrefix: login.TOOLMESH_NATS_INBOX_PREFIX }
        : {}),
    });
    const rtt = await nc.rtt();
    await nc.close();
    return { name: "nats", ok: true, detail: `${url} (rtt ${rtt.toFixed(1)} ms)` };
  } catch (err) {
    return { name: "nats", ok: false, detail: `${url}: ${err instanceof Error ? err.message : String(err)}` };
  }
}

async function gather(state: StackState, statePath: string): Promise<StatusReport> {
  const checks: Check[] = [await checkNats(state)];
  for (const service of state.services) {
    const alive = processIsAlive(service.pid);
    const healthy = alive && service.metricsPort ? await httpOk(`http://127.0.0.1:${service.metricsPort}/healthz`) : alive;
    checks.push({
      name: service.name,
      pid: service.pid,
      ok: healthy,
      detail: !alive
        ? "not running"
        : service.metricsPort
          ? `${healthy ? "healthy" : "unhealthy"} (metrics :${service.metricsPort})`
          : "running",
    });
  }
  const client = clientFrom(state.grpcAddress);
  let pools: StatusReport["pools"] = [];
  try {
    const capacity = await client.capacity();
    pools = capacity.pools.map((p) => ({ pool: p.pool, instances: p.instances, limit: p.limit, inFlight: p.inFlight }));
    checks.push({ name: "gRPC", ok: true, detail: state.grpcAddress });
  } catch (err) {
    checks.push({ name: "gRPC", ok: false, detail: `${state.grpcAddress}: ${describeGrpcError(err)}` });
  } finally {
    client.close();
  }
  const byProcess = processMemory(processTree(state.pid));
  return {
    state,
    statePath,
    checks,
    pools,
    footprint: { processes: byProcess.length, rssBytes: byProcess.reduce((sum, p) => sum + p.rssBytes, 0), byProcess },
  };
}

const mb = (bytes: number): string => `${(bytes / 1024 / 1024).toFixed(0)} MB`;

function render(report: StatusReport): string {
  const { state } = report;
  const lines = [
    `stack of up pid ${state.pid}, started ${state.startedAt} (${report.statePath})`,
    `  gRPC      ${state.grpcAddress}`,
    `  NATS      ${state.natsUrl}`,
    ...(state.consoleUrl ? [`  console   ${state.consoleUrl} (a login link: toolmesh status --console)`] : []),
    ...(state.mcpUrl
      ? [
          `  MCP       ${state.mcpUrl} (streamable HTTP${state.mcpToken ? ", bearer token: toolmesh status --mcp-config" : ""}; stdio: npx toolmesh mcp)`,
        ]
      : []),
    `  roots     ${state.roots.map((r) => `${r.name}=${r.dir}`).join(", ")}`,
    `  logs      ${state.logDir}`,
    "",
    "services:",
    ...report.checks.map(
      (c) => `  ${c.ok ? "✓" : "✗"} ${c.name.padEnd(12)} ${c.pid ? `pid ${String(c.pid).padEnd(8)}` : "".padEnd(12)} ${c.detail}`,
    ),
    "",
    "pools:",
    ...state.pools.map((name) => {
      const pool = report.pools.find((p) => p.pool === name && p.instances > 0);
      if (!pool)
        return state.onDemandPools?.includes(name)
          ? `  ○ ${name.padEnd(10)} no worker now; one starts with the pool's first call`
          : `  ✗ ${name.padEnd(10)} no live worker`;
      return `  ✓ ${name.padEnd(10)} ${pool.instances} worker${pool.instances === 1 ? "" : "s"}, limit ${pool.limit}, in flight ${pool.inFlight}`;
    }),
    "",
    `footprint: ${report.footprint.processes} processes, ${mb(report.footprint.rssBytes)} RSS in all`,
    ...report.footprint.byProcess.map((p) => `  ${String(p.pid).padEnd(8)} ${mb(p.rssBytes).padStart(7)}  ${p.command.slice(0, 100)}`),
  ];
  return `${lines.join("\n")}\n`;
}

/**
 * The `mcpServers` entry an HTTP MCP client (Claude Code's .mcp.json, Cursor,
 * …) takes: the gateway's URL and its bearer token as a header. The one
 * place the token is printed, and only when asked for.
 */
export function mcpClientConfig(state: StackState): string | undefined {
  if (!state.mcpUrl) return undefined;
  const headers = state.mcpToken ? { headers: { Authorization: `Bearer ${state.mcpToken}` } } : {};
  return `${JSON.stringify({ mcpServers: { toolmesh: { type: "http", url: state.mcpUrl, ...headers } } }, null, 2)}\n`;
}

/** The state without its tokens: status output is the kind pasted into bug reports. */
function withoutSecrets(state: StackState): Omit<StackState, "grpcToken" | "mcpToken"> {
  const { grpcToken: _grpc, mcpToken: _mcp, ...rest } = state;
  return rest;
}

/** `toolmesh status`: the stack `up` recorded, each service's health, the pools and the memory it uses. */
export async function statusCommand(options: StatusOptions): Promise<number> {
  const found = findStack();
  if (!found.state) {
    process.stderr.write(
      found.stale
        ? `no stack is running: ${found.path} describes one whose up (pid ${found.stale.pid}) is gone; start one with \`npx toolmesh up\`\n`
        : `no stack is running (no ${found.path}); start one with \`npx toolmesh up\`\n`,
    );
    return 1;
  }
  if (options.mcpConfig) {
    const config = mcpClientConfig(found.state);
    if (!config) {
      process.stderr.write(`the stack recorded in ${found.path} serves no MCP over HTTP (its up predates the gateway); restart it\n`);
      return 1;
    }
    process.stdout.write(config);
    return 0;
  }
  if (options.console) {
    const { consoleUrl, mcpToken } = found.state;
    if (!consoleUrl) {
      process.stderr.write(`the stack recorded in ${found.path} serves no console (its up predates it); restart it\n`);
      return 1;
    }
    // Minted here from the stack's token; the console spends each code once.
    process.stdout.write(mcpToken ? `${consoleUrl}login?code=${mintLoginCode(mcpToken)}\n` : `${consoleUrl}\n`);
    return 0;
  }
  const report = await gather(found.state, found.path);
  process.stdout.write(options.json ? `${JSON.stringify({ ...report, state: withoutSecrets(report.state) }, null, 2)}\n` : render(report));
  return report.checks.every((c) => c.ok) ? 0 : 1;
}
