import { connect } from "@nats-io/transport-node";
import { ensureNatsServer, startNatsServer, startServiceProcess, type NatsServerHandle, type ServiceProcess } from "@toolmesh/local";
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdir } from "node:fs/promises";
import { createServer } from "node:net";
import { resolve } from "node:path";
import { appScript } from "../app-scripts.js";
import { templateCommand } from "./template.js";
import { clientFrom, describeGrpcError } from "../connection.js";

export interface UpOptions {
  roots: string[];
  grpcPort: number;
  demo: boolean;
  exit: boolean;
  /** The autoscaler's cap on worker processes across pools. */
  maxInstances: number;
}

function hasBubblewrap(): boolean {
  return spawnSync("bwrap", ["--version"], { stdio: "ignore" }).status === 0;
}

/** Waits until every pool has a live worker on the metrics bus, as the coordinator sees it. */
async function waitForPools(address: string, pools: string[], timeoutMs = 60_000): Promise<void> {
  const client = clientFrom(address);
  try {
    const until = Date.now() + timeoutMs;
    for (;;) {
      const live = new Set((await client.capacity()).pools.filter((p) => p.instances > 0).map((p) => p.pool));
      const missing = pools.filter((p) => !live.has(p));
      if (missing.length === 0) return;
      if (Date.now() > until) throw new Error(`no ${missing.join(", ")} worker came up within ${timeoutMs / 1000} s; see .toolmesh/logs`);
      await new Promise((r) => setTimeout(r, 250));
    }
  } finally {
    client.close();
  }
}

const say = (line: string): void => void process.stderr.write(`toolmesh: ${line}\n`);

/** The offline search index of `up`: the first root's README and docs, those that exist. */
function localIndexDirs(root: string): string {
  return ["README.md", "docs"].map((name) => resolve(root, name)).filter((path) => existsSync(path)).join(",") || root;
}

function portIsFree(port: number): Promise<boolean> {
  return new Promise((resolvePort) => {
    const server = createServer();
    server.once("error", () => resolvePort(false));
    server.listen(port, "127.0.0.1", () => server.close(() => resolvePort(true)));
  });
}

/**
 * `toolmesh up`: nats-server (unless TOOLMESH_NATS_URL names one), the
 * coordinator and the autoscaler, whose local backend runs the pools' worker
 * processes; with --demo, a real workflow over the first root. Ctrl-C stops
 * everything it started (the autoscaler drains its workers).
 */
export async function upCommand(options: UpOptions): Promise<number> {
  const started: ServiceProcess[] = [];
  let nats: NatsServerHandle | undefined;
  // Listen from the first moment: a Ctrl-C during start-up must still stop
  // whatever has been started, not kill the CLI and orphan it.
  let onSignal = (): void => undefined;
  const interrupted = new Promise<void>((resolve) => (onSignal = resolve));
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
  const stopAll = async (): Promise<void> => {
    await Promise.all(started.reverse().map((s) => s.stop()));
    await nats?.stop();
  };
  try {
    let natsUrl = process.env.TOOLMESH_NATS_URL;
    if (natsUrl) {
      const probe = await connect({ servers: natsUrl }).catch((err: unknown) => {
        throw new Error(`TOOLMESH_NATS_URL=${natsUrl} is not reachable: ${err instanceof Error ? err.message : String(err)}`);
      });
      await probe.close();
      say(`using NATS at ${natsUrl}`);
    } else {
      const binary = ensureNatsServer(say);
      nats = await startNatsServer({ binary });
      natsUrl = nats.url;
      say(`nats-server with JetStream on ${natsUrl} (store ${nats.storeDir})`);
    }

    const logDir = resolve(".toolmesh", "logs");
    await mkdir(logDir, { recursive: true });
    let grpcPort = options.grpcPort;
    if (grpcPort !== 0 && !(await portIsFree(grpcPort))) {
      say(`port ${grpcPort} is taken; the coordinator picks a free one`);
      grpcPort = 0;
    }
    const roots = options.roots.map((root) => resolve(root));
    const common = { TOOLMESH_NATS_URL: natsUrl, TOOLMESH_METRICS_PORT: "0" };
    const coordinator = await startServiceProcess({
      name: "coordinator",
      script: appScript("coordinator"),
      env: { ...common, TOOLMESH_GRPC_HOST: "127.0.0.1", TOOLMESH_GRPC_PORT: String(grpcPort) },
      logFile: resolve(logDir, "coordinator.log"),
    });
    started.push(coordinator);
    const address = `127.0.0.1:${String(coordinator.ready.grpcPort)}`;
    say(`coordinator gRPC on ${address} (metrics :${String(coordinator.ready.metricsPort)}/metrics)`);

    // The pools run under the autoscaler's local backend: one worker each to
    // start with, more while work queues up, back down when it has cleared.
    const bwrap = hasBubblewrap();
    if (!bwrap) say("bash pool not started: bubblewrap (bwrap) is not installed (apt-get install bubblewrap)");
    const pools = ["codebase", "web", "agent", ...(bwrap ? ["bash"] : [])];
    const autoscaler = await startServiceProcess({
      name: "autoscaler",
      script: appScript("autoscaler"),
      env: {
        ...common,
        // Every pool's settings: the workers it starts inherit them.
        TOOLMESH_CODEBASE_ROOTS: roots.join(","),
        TOOLMESH_BASH_WORKSPACE: resolve(".toolmesh", "bash-workspace"),
        TOOLMESH_LOCAL_INDEX_DIRS: process.env.TOOLMESH_LOCAL_INDEX_DIRS ?? localIndexDirs(roots[0]!),
        TOOLMESH_COORDINATOR_ADDRESS: address,
        TOOLMESH_AUTOSCALER_BACKEND: "local",
        TOOLMESH_AUTOSCALER_POOLS: pools.join(","),
        TOOLMESH_AUTOSCALER_REPLICAS: process.env.TOOLMESH_AUTOSCALER_REPLICAS ?? "codebase=1:4,web=1:3,agent=1:2,bash=1:2",
        TOOLMESH_MAX_INSTANCES: String(options.maxInstances),
        TOOLMESH_AUTOSCALER_INTERVAL_MS: process.env.TOOLMESH_AUTOSCALER_INTERVAL_MS ?? "2000",
        TOOLMESH_AUTOSCALER_SCALE_DOWN_WINDOW_S: process.env.TOOLMESH_AUTOSCALER_SCALE_DOWN_WINDOW_S ?? "30",
        TOOLMESH_AUTOSCALER_LOG_DIR: logDir,
      },
      logFile: resolve(logDir, "autoscaler.log"),
    });
    started.push(autoscaler);
    say(`autoscaler (local processes, at most ${options.maxInstances} workers) managing ${pools.join(", ")} (metrics :${String(autoscaler.ready.metricsPort)}/metrics)`);
    await waitForPools(address, pools);
    say(`codebase pool over ${roots.join(", ")}`);
    if (bwrap) say("bash pool (sandboxed, workspace .toolmesh/bash-workspace)");
    say("web pool (providers from TOOLMESH_WEB_PROVIDERS, default the local index)");
    say("agent pool (agent.run; LLM policy from TOOLMESH_LLM_PROVIDER, default none)");
    say(`logs in ${logDir}`);
    say(`try: TOOLMESH_ADDRESS=${address} npx toolmesh call code.grep --args '{"pattern":"TODO"}'`);
    say(`     grpcurl -plaintext ${address} list`);

    let code = 0;
    if (options.demo) {
      // The demo is a template run: fan-out over every source file, greps,
      // reads of the top hits and one synthesised report.
      const result = await templateCommand({
        template: "explore-codebase",
        params: { question: "how does a workflow get from submit to its result" },
        address,
        json: false,
      });
      code = result;
    }
    if (!options.exit) {
      say("up; Ctrl-C stops everything");
      await interrupted;
      say("stopping ...");
    }
    await stopAll();
    return code;
  } catch (err) {
    say(`error: ${describeGrpcError(err)}`);
    await stopAll();
    return 1;
  } finally {
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
  }
}
