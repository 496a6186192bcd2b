import { connect } from "@nats-io/transport-node";
import { ensureNatsServer, startNatsServer, startServiceProcess, type NatsServerHandle, type ServiceProcess } from "@toolmesh/local";
import { WorkflowState } from "@toolmesh/proto";
import { existsSync } from "node:fs";
import { mkdir } from "node:fs/promises";
import { createServer } from "node:net";
import { resolve } from "node:path";
import { appScript } from "../app-scripts.js";
import { templateCommand } from "./template.js";
import { clientFrom, describeGrpcError } from "../connection.js";
import { formatWorkflowResult } from "../summary.js";
import { runWithProgress } from "./run.js";

export interface UpOptions {
  roots: string[];
  grpcPort: number;
  demo: boolean;
  exit: boolean;
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
 * coordinator and the codebase pool as child processes; with --demo, a real
 * workflow over the first root. Ctrl-C stops everything it started.
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
    const [coordinator, codebase] = await Promise.all([
      startServiceProcess({
        name: "coordinator",
        script: appScript("coordinator"),
        env: { ...common, TOOLMESH_GRPC_HOST: "127.0.0.1", TOOLMESH_GRPC_PORT: String(grpcPort) },
        logFile: resolve(logDir, "coordinator.log"),
      }),
      startServiceProcess({
        name: "codebase",
        script: appScript("codebase"),
        env: { ...common, TOOLMESH_CODEBASE_ROOTS: roots.join(",") },
        logFile: resolve(logDir, "codebase.log"),
      }),
    ]);
    started.push(coordinator, codebase);
    const address = `127.0.0.1:${String(coordinator.ready.grpcPort)}`;
    say(`coordinator gRPC on ${address} (metrics :${String(coordinator.ready.metricsPort)}/metrics)`);
    say(`codebase pool over ${roots.join(", ")} (metrics :${String(codebase.ready.metricsPort)}/metrics)`);
    // The bash pool needs bubblewrap; without it the rest of the stack still runs.
    const bash = await startServiceProcess({
      name: "bash",
      script: appScript("bash"),
      env: { ...common, TOOLMESH_BASH_WORKSPACE: resolve(".toolmesh", "bash-workspace") },
      logFile: resolve(logDir, "bash.log"),
    }).catch((err: unknown) => {
      const reason = String(err instanceof Error ? err.message : err).split("\n").find((line) => line.startsWith("bash: ")) ?? "see bash.log";
      say(`bash pool not started: ${reason}`);
      return undefined;
    });
    if (bash) {
      started.push(bash);
      say(`bash pool (sandboxed, workspace .toolmesh/bash-workspace) (metrics :${String(bash.ready.metricsPort)}/metrics)`);
    }
    const webSearch = await startServiceProcess({
      name: "web-search",
      script: appScript("web-search"),
      env: { ...common, TOOLMESH_LOCAL_INDEX_DIRS: process.env.TOOLMESH_LOCAL_INDEX_DIRS ?? localIndexDirs(roots[0]!) },
      logFile: resolve(logDir, "web-search.log"),
    });
    started.push(webSearch);
    say(`web pool (providers from TOOLMESH_WEB_PROVIDERS, default the local index) (metrics :${String(webSearch.ready.metricsPort)}/metrics)`);
    const agent = await startServiceProcess({
      name: "agent",
      script: appScript("agent"),
      env: { ...common, TOOLMESH_COORDINATOR_ADDRESS: address },
      logFile: resolve(logDir, "agent.log"),
    });
    started.push(agent);
    say(`agent pool (agent.run; LLM policy from TOOLMESH_LLM_PROVIDER, default none) (metrics :${String(agent.ready.metricsPort)}/metrics)`);
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
