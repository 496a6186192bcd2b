import type { ChildProcess } from "node:child_process";
import { once } from "node:events";
import { spawnService } from "./stack.js";

/** The real coordinator process (apps/coordinator/dist/main.js), up and ready. */
export interface CoordinatorProcess {
  child: ChildProcess;
  port: number;
  /** Its JSON log lines so far. */
  lines: Array<Record<string, unknown>>;
  stop(): Promise<void>;
}

/** Starts the coordinator process with `env` (a free loopback port, logs at info) and waits for its "ready" line. */
export async function startCoordinatorProcess(env: Record<string, string>): Promise<CoordinatorProcess> {
  const child = spawnService("coordinator", { TOOLMESH_GRPC_PORT: "0", TOOLMESH_LOG_LEVEL: "info", ...env });
  const lines: Array<Record<string, unknown>> = [];
  let text = "";
  let buffered = "";
  const ready = await new Promise<Record<string, unknown>>((resolve, reject) => {
    child.once("exit", (code) => reject(new Error(`coordinator exited with ${code}: ${text}`)));
    child.stderr!.on("data", (chunk: Buffer) => {
      text += chunk.toString("utf8");
      buffered += chunk.toString("utf8");
      let nl: number;
      while ((nl = buffered.indexOf("\n")) >= 0) {
        const line = buffered.slice(0, nl);
        buffered = buffered.slice(nl + 1);
        try {
          const parsed = JSON.parse(line) as Record<string, unknown>;
          lines.push(parsed);
          if (parsed.msg === "ready") resolve(parsed);
        } catch {
          // not a log line
        }
      }
    });
  });
  child.removeAllListeners("exit");
  return {
    child,
    port: Number(ready.grpcPort),
    lines,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = once(child, "exit");
      child.kill("SIGTERM");
      await exited;
    },
  };
}

/** Runs the coordinator process with `env` until it exits (a start-up that must fail): its exit code and stderr. */
export async function coordinatorStartFailure(env: Record<string, string>): Promise<{ code: number | null; stderr: string }> {
  const child = spawnService("coordinator", { TOOLMESH_GRPC_PORT: "0", TOOLMESH_LOG_LEVEL: "info", ...env });
  let stderr = "";
  child.stderr!.on("data", (chunk: Buffer) => (stderr += chunk.toString("utf8")));
  const [code] = (await once(child, "close")) as [number | null];
  return { code, stderr };
}
