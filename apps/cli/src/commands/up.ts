import {
  baseConfigSchema,
  connectNats,
  createLogger,
  loadConfig,
  mcpPoolName,
  parseMcpFlag,
  parseMcpPools,
  poolRole,
  roleEnv,
  writeNatsAuth,
  type McpPoolsConfig,
  type NatsAuthFiles,
  type NatsRole,
  type PoolName,
  type RootSpec,
} from "@toolmesh/core";
import { ConsoleServer } from "@toolmesh/console";
import { startGateway } from "@toolmesh/mcp/gateway";
import { PoolWatch } from "@toolmesh/observe";
import {
  ensureNatsServer,
  findStack,
  processIsAlive,
  removeStackState,
  ServiceStartError,
  startNatsServer,
  startServiceProcess,
  writeStackState,
  type ServiceProcess,
  type StackState,
} from "@toolmesh/local";
import { existsSync, rmSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { appScript } from "../app-scripts.js";
import { clientFrom, describeGrpcError, resolveConnection, type Connection } from "../connection.js";
import { hasBubblewrap, portIsFree } from "../up/host.js";
import { keptRuns, prepareRunLogDir } from "../up/logs.js";
import { parseUpRoots, rootsEnv } from "../up/roots.js";
import { privateStateDir, stackGrpcToken } from "../up/secrets.js";
import { stateDirOf, upEnvironment } from "../up/settings.js";
import { StackProcesses, StartInterrupted, StopSignals, unlessStopped } from "../up/supervisor.js";
import { waitForPools } from "../up/wait-pools.js";

export interface UpOptions {
  /** --root values as given: "DIR" or "NAME=DIR". */
  roots: string[];
  grpcPort: number;
  demo: boolean;
  exit: boolean;
  /** The autoscaler's cap on worker processes across pools. */
  maxInstances: number;
  /** How long the whole stack may take to come up (TOOLMESH_UP_READY_TIMEOUT_S, 300). */
  readyTimeoutS?: number | undefined;
  /** --mcp values as given: "NAME=COMMAND ARGS..." or "NAME=URL", on top of TOOLMESH_MCP_POOLS. */
  mcp?: string[];
}

const say = (line: string): void => void process.stderr.write(`toolmesh: ${line}\n`);

/** The offline search index of `up`: the first root's README and docs, those that exist. */
function localIndexDirs(root: string): string {
  return (
    ["README.md", "docs"]
      .map((name) => resolve(root, name))
      .filter((path) => existsSync(path))
      .join(",") || root
  );
}

/** Refuses to start a second stack over a running one; clears what a killed one left. */
function claimStateDir(stateDir: string): void {
  const found = findStack(undefined, { TOOLMESH_STATE_DIR: stateDir });
  if (found.state) {
    throw new Error(
      `a stack is already running here (up pid ${found.state.pid}, gRPC ${found.state.grpcAddress}); see \`npx toolmesh status\`, stop it with \`npx toolmesh down\``,
    );
  }
  if (found.stale) {
    say(`the last stack here did not stop cleanly (up pid ${found.stale.pid} is gone); cleaning up after it`);
    removeStackState(found.path, found.stale.pid);
  }
  // Only `up` uses this store, and only one `up` runs per state directory.
  rmSync(resolve(stateDir, "nats"), { recursive: true, force: true });
  rmSync(resolve(stateDir, "nats-auth"), { recursive: true, force: true });
}

/**
 * `toolmesh up`: nats-server (unless TOOLMESH_NATS_URL names one), the
 * coordinator and the autoscaler, whose local backend runs the pools' worker
 * processes; with --demo, a real workflow over the first root. Records the
 * stack in <state dir>/stack.json for the other commands. Ctrl-C stops
 * everything within 10 s; a second Ctrl-C kills it at once.
 */
export async function upCommand(options: UpOptions): Promise<number> {
  const stack = new StackProcesses();
  const signals = new StopSignals(() => {
    say("second interrupt: killing everything now");
    stack.killNow();
    process.exit(130);
  });
  const stateDir = stateDirOf();
  const statePath = resolve(stateDir, "stack.json");
  let code = 0;
  let stateWritten = false;
  let interrupted = false;
  try {
    const settings = upEnvironment(process.env, options.readyTimeoutS);
    const roots: RootSpec[] = parseUpRoots(options.roots);
    // MCP servers as pools (mcp-<name>): the autoscaler manages them, the coordinator learns their tools from their workers.
    const mcpPools: McpPoolsConfig = {
      ...parseMcpPools(process.env.TOOLMESH_MCP_POOLS),
      ...Object.fromEntries((options.mcp ?? []).map(parseMcpFlag)),
    };
    privateStateDir(stateDir, say);
    claimStateDir(stateDir);
    const logDir = prepareRunLogDir(resolve(stateDir, "logs"), keptRuns());

    // The pools run under the autoscaler's local backend: one worker each to
    // start with, more while work queues up, back down when it has cleared.
    const bwrap = hasBubblewrap();
    if (!bwrap) say("bash pool skipped: bubblewrap (bwrap) is not installed (apt-get install bubblewrap); bash.exec calls will fail");
    const pools: PoolName[] = ["codebase", "web", "agent"];
    if (bwrap) pools.push("bash");
    pools.push(...Object.keys(mcpPools).map(mcpPoolName));

    let natsUrl = process.env.TOOLMESH_NATS_URL;
    // Our own server has a user per role, made for this run; an external one gets whatever credentials the environment gives.
    let natsAuth: NatsAuthFiles | undefined;
    if (natsUrl) {
      const probeConfig = loadConfig("toolmesh up", baseConfigSchema, process.env);
      const probe = await unlessStopped(
        connectNats({ ...probeConfig, TOOLMESH_NATS_URL: natsUrl }, "toolmesh-up-probe"),
        signals.signal,
      ).catch((err: unknown) => {
        if (err instanceof StartInterrupted) throw err;
        throw new Error(`TOOLMESH_NATS_URL=${natsUrl} is not reachable: ${err instanceof Error ? err.message : String(err)}`);
      });
      await probe.close();
      say(`using NATS at ${natsUrl}`);
    } else {
      const binary = ensureNatsServer(say);
      natsAuth = writeNatsAuth(resolve(stateDir, "nats-auth"), pools);
      stack.nats = await startNatsServer({
        binary,
        storeDir: resolve(stateDir, "nats"),
        processGroup: true,
        configFile: natsAuth.configFile,
        logFile: resolve(logDir, "nats-server.log"),
      });
      natsUrl = stack.nats.url;
      say(`nats-server with JetStream on ${natsUrl} (store ${stack.nats.storeDir}; a user per role, credentials in ${natsAuth.dir})`);
      if (signals.signal.aborted) throw new StartInterrupted("stopped during start-up");
    }
    const asRole = (role: NatsRole): Record<string, string> => {
      const login = natsAuth?.credentials.get(role);
      return login ? roleEnv(login) : {};
    };

    let grpcPort = options.grpcPort;
    if (grpcPort !== 0 && !(await portIsFree(grpcPort))) {
      say(`port ${grpcPort} is taken; the coordinator picks a free one`);
      grpcPort = 0;
    }
    const common = { ...settings.servicesEnv, TOOLMESH_NATS_URL: natsUrl, TOOLMESH_METRICS_PORT: "0" };
    const startService = async (
      name: string,
      env: Record<string, string>,
      onLine?: (line: string) => void,
      nodeArgs?: string[],
    ): Promise<ServiceProcess> => {
      say(`starting ${name} ...`);
      const service = await startServiceProcess({
        name,
        script: appScript(name),
        env: { ...common, ...env },
        logFile: resolve(logDir, `${name}.log`),
        readyTimeoutMs: settings.stallMs,
        processGroup: true,
        signal: signals.signal,
        ...(onLine ? { onLine } : {}),
        ...(nodeArgs ? { nodeArgs } : {}),
      });
      stack.services.push(service);
      return service;
    };

    // Passed in the environment, never argv (/proc/<pid>/cmdline is world-readable); kept in stack.json for the CLI.
    const grpcToken = stackGrpcToken(process.env);
    const coordinator = await startService("coordinator", {
      ...asRole("coordinator"),
      TOOLMESH_GRPC_HOST: "127.0.0.1",
      TOOLMESH_GRPC_PORT: String(grpcPort),
      TOOLMESH_GRPC_TOKEN: grpcToken,
    });
    const address = `127.0.0.1:${String(coordinator.ready.grpcPort)}`;
    say(`coordinator gRPC on ${address} (bearer token; metrics :${String(coordinator.ready.metricsPort)}/metrics)`);
    // The state file is not written yet: this process's own clients take the token from here.
    const connection: Connection = { ...resolveConnection({ address }), token: grpcToken };

    // MCP over streamable HTTP for agents (stdio needs no service: `toolmesh mcp`),
    // served by this process with the gateway service's own code: a resident
    // process less (~60 MB). Loopback only, and always behind a bearer token.
    const mcpToken = process.env.TOOLMESH_MCP_TOKEN || grpcToken;
    const gatewayClient = clientFrom(connection);
    const allowedOrigins = (process.env.TOOLMESH_MCP_ALLOWED_ORIGINS ?? "").split(",").filter(Boolean);
    // The web console beside /mcp, behind the same token and Origin check; it sees the
    // pools as `toolmesh top` does, logged in as the read-only observer role.
    const observerNc = await connectNats(
      loadConfig("toolmesh up", baseConfigSchema, { ...process.env, TOOLMESH_NATS_URL: natsUrl, ...asRole("observer") }),
      "toolmesh-console",
    );
    const consoleServer = new ConsoleServer({
      client: gatewayClient,
      token: mcpToken,
      allowedOrigins,
      pools: new PoolWatch(observerNc, { staleMs: 5000 }).start(),
      log: createLogger("console", "info", resolve(logDir, "console.log")),
    });
    const gateway = await startGateway({
      console: consoleServer,
      client: gatewayClient,
      host: process.env.TOOLMESH_MCP_HOST || "127.0.0.1",
      port: Number(process.env.TOOLMESH_MCP_PORT || "0"),
      token: mcpToken,
      allowedOrigins,
      maxSessions: 64,
      sessionIdleMs: 30 * 60_000,
      log: createLogger("mcp-gateway", "info", resolve(logDir, "mcp-gateway.log")),
    });
    stack.onStop(async () => {
      await gateway.close();
      gatewayClient.close();
      await observerNc.close();
    });
    const mcpUrl = gateway.url;
    // The token itself is not printed: terminals get logged and scrolled back through.
    say(
      `MCP gateway on ${mcpUrl} (streamable HTTP, bearer token: \`npx toolmesh status --mcp-config\` prints a client config with it; stdio: npx toolmesh mcp)`,
    );
    // A link with a one-time login code, not the token: it works once, for one browser (\`toolmesh status --console\` mints another).
    const consoleUrl = gateway.consoleUrl!;
    say(`console on ${consoleUrl} — open ${consoleUrl}login?code=${consoleServer.guard.issueLoginCode()}`);

    let workerFailure: string | undefined;
    const autoscaler = await startService(
      "autoscaler",
      {
        ...asRole("autoscaler"),
        // Each worker it starts connects as its pool's role, from that role's file (the autoscaler sees only the pools' files).
        ...(natsAuth ? { TOOLMESH_AUTOSCALER_POOL_CREDENTIALS_DIR: dirname(natsAuth.fileOf(poolRole(pools[0]!))) } : {}),
        // Every pool's settings: the workers it starts inherit them.
        TOOLMESH_CODEBASE_ROOTS: rootsEnv(roots),
        TOOLMESH_BASH_WORKSPACE: resolve(stateDir, "bash-workspace"),
        TOOLMESH_LOCAL_INDEX_DIRS: process.env.TOOLMESH_LOCAL_INDEX_DIRS ?? localIndexDirs(roots[0]!.dir),
        TOOLMESH_COORDINATOR_ADDRESS: address,
        // For the agent pool's workers (sub-agents call the coordinator); the backend gives it to no other pool.
        TOOLMESH_GRPC_TOKEN: grpcToken,
        TOOLMESH_AUTOSCALER_BACKEND: "local",
        TOOLMESH_AUTOSCALER_POOLS: pools.join(","),
        TOOLMESH_AUTOSCALER_REPLICAS: settings.replicasFor(pools),
        TOOLMESH_MAX_INSTANCES: String(options.maxInstances),
        TOOLMESH_AUTOSCALER_LOG_DIR: logDir,
        ...(Object.keys(mcpPools).length > 0 ? { TOOLMESH_MCP_POOLS: JSON.stringify(mcpPools) } : {}),
      },
      (line) => {
        const failure = workerStartFailure(line);
        if (!failure) return;
        if (!workerFailure) workerFailure = failure;
        // Once up, a failing worker is the autoscaler's to replace; say so all the same.
        if (stateWritten) say(failure);
      },
      // A control loop that decides every 2 s needs no optimising compiler; without it the process is ~7 MB smaller.
      ["--lite-mode"],
    );
    say(
      `autoscaler (local processes, at most ${options.maxInstances} workers) managing ${pools.join(", ")} (metrics :${String(autoscaler.ready.metricsPort)}/metrics)`,
    );

    const client = clientFrom(connection);
    try {
      await waitForPools({
        client,
        pools: pools.filter((pool) => settings.minWorkers(pool) > 0 && mcpPools[pool.replace(/^mcp-/, "")]?.min !== 0),
        timeoutMs: settings.readyTimeoutMs,
        signal: signals.signal,
        failure: () => workerFailure,
        onWaiting: (missing, elapsedMs) =>
          say(`waiting for the first ${missing.join(", ")} worker${missing.length > 1 ? "s" : ""} (${Math.round(elapsedMs / 1000)} s)`),
      });
    } finally {
      client.close();
    }
    const state: StackState = {
      version: 1,
      pid: process.pid,
      startedAt: new Date().toISOString(),
      natsUrl,
      grpcAddress: address,
      grpcToken,
      mcpUrl,
      mcpToken,
      consoleUrl,
      roots,
      pools,
      onDemandPools: pools.filter((pool) => settings.minWorkers(pool) === 0),
      services: [
        ...(stack.nats?.pid ? [{ name: "nats-server", pid: stack.nats.pid }] : []),
        ...stack.services.map((s) => ({ name: s.name, pid: s.child.pid ?? 0, metricsPort: Number(s.ready.metricsPort) || undefined })),
      ],
      logDir,
      natsAuthDir: natsAuth?.dir,
    };
    writeStackState(statePath, state);
    stateWritten = true;
    say(`codebase pool over ${roots.map((r) => `${r.name}=${r.dir}`).join(", ")}`);
    const onDemand = (pool: string): string => (settings.minWorkers(pool) === 0 ? "; its first worker starts with its first call" : "");
    if (bwrap) say(`bash pool (sandboxed, workspace ${resolve(stateDir, "bash-workspace")}${onDemand("bash")})`);
    say(`web pool (providers from TOOLMESH_WEB_PROVIDERS, default the local index${onDemand("web")})`);
    say(`agent pool (agent.run; LLM policy from TOOLMESH_LLM_PROVIDER, default none${onDemand("agent")})`);
    say(`logs in ${logDir}; stack recorded in ${statePath}`);
    say(`try: npx toolmesh call code.grep --args '{"pattern":"TODO"}'   (or npx toolmesh status, top, down)`);

    if (options.demo) {
      // The demo is a template run: fan-out over every source file, greps,
      // reads of the top hits and one synthesised report.
      // Loaded only here: `up` stays resident, and the report renderer is not small.
      const { templateCommand } = await import("./template.js");
      const demo = templateCommand({
        template: "explore-codebase",
        params: { question: "how does a workflow get from submit to its result" },
        connection,
        json: false,
      });
      code = await Promise.race([demo, signals.requested.then(() => 130)]);
    }
    if (!options.exit && !signals.signal.aborted) {
      say("up; Ctrl-C (or `npx toolmesh down`) stops everything");
      await signals.requested;
    }
  } catch (err) {
    // Whatever step a stop request cut short failed because of it, not on its own.
    // A service spawned in the instant of a Ctrl-C (before it left our process
    // group) gets the SIGINT too, and its exit may be seen before ours.
    if (err instanceof StartInterrupted || signals.signal.aborted || (err instanceof ServiceStartError && err.exitSignal === "SIGINT")) {
      interrupted = true;
      code = 130;
    } else {
      say(`error: ${describeGrpcError(err)}`);
      code = 1;
    }
  }
  interrupted ||= signals.signal.aborted;
  if (interrupted) say("stopping (Ctrl-C again kills at once) ...");
  const stopStarted = Date.now();
  await stack.stop();
  removeStackState(statePath);
  // This run's passwords die with its server.
  if (stack.nats) rmSync(resolve(stateDir, "nats-auth"), { recursive: true, force: true });
  if (interrupted) say(`stopped in ${((Date.now() - stopStarted) / 1000).toFixed(1)} s`);
  signals.dispose();
  // Any service pid still alive here escaped its group; say so rather than leave it silently.
  for (const service of stack.services)
    if (service.child.pid && processIsAlive(service.child.pid)) say(`warning: ${service.name} (pid ${service.child.pid}) is still running`);
  return interrupted && code === 130 ? 0 : code;
}

/** The autoscaler's "worker failed to start" log line as one sentence, or undefined for any other line. */
export function workerStartFailure(line: string): string | undefined {
  let entry: { msg?: string; pool?: string; instanceId?: string; error?: string };
  try {
    entry = JSON.parse(line) as typeof entry;
  } catch {
    return undefined;
  }
  if (entry.msg !== "worker failed to start") return undefined;
  return `${entry.pool ?? "a"} worker ${entry.instanceId ?? ""} failed to start: ${entry.error ?? "no reason given"}`.replace(/\s+/g, " ");
}
