import { spawn, type ChildProcess } from "node:child_process";
import { createWriteStream, type WriteStream } from "node:fs";
import { createInterface } from "node:readline";

export interface ServiceProcess {
  name: string;
  child: ChildProcess;
  /** The fields of the service's `"msg":"ready"` log line (ports, ids). */
  ready: Record<string, unknown>;
  /** SIGTERM (the service drains), SIGKILL after graceMs. */
  stop(graceMs?: number): Promise<void>;
}

export interface StartServiceOptions {
  name: string;
  /** The script to run with this Node binary. */
  script: string;
  env: Record<string, string | undefined>;
  /** Where the service's JSON logs go; omitted: discarded. */
  logFile?: string;
  readyTimeoutMs?: number;
}

/**
 * Starts a toolmesh service as a child process and resolves once it logs
 * "ready". The child exits by itself if this process dies (even by SIGKILL):
 * TOOLMESH_EXIT_WITH_PARENT makes it watch its parent pid.
 */
export function startServiceProcess(options: StartServiceOptions): Promise<ServiceProcess> {
  const child = spawn(process.execPath, [options.script], {
    env: { ...process.env, ...options.env, TOOLMESH_EXIT_WITH_PARENT: String(process.pid) },
    stdio: ["ignore", "inherit", "pipe"],
  });
  const log: WriteStream | undefined = options.logFile ? createWriteStream(options.logFile, { flags: "a" }) : undefined;
  const recent: string[] = [];
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`${options.name} did not become ready in ${options.readyTimeoutMs ?? 20_000} ms:\n${recent.join("\n")}`));
    }, options.readyTimeoutMs ?? 20_000);
    const onEarlyExit = (code: number | null): void => {
      clearTimeout(timer);
      reject(new Error(`${options.name} exited with ${code} before it was ready:\n${recent.join("\n")}`));
    };
    child.once("exit", onEarlyExit);
    child.once("error", (err) => {
      clearTimeout(timer);
      reject(err);
    });
    let isReady = false;
    createInterface({ input: child.stderr! }).on("line", (line) => {
      log?.write(`${line}\n`);
      if (isReady) return;
      recent.push(line);
      if (recent.length > 40) recent.shift();
      let entry: Record<string, unknown>;
      try {
        entry = JSON.parse(line) as Record<string, unknown>;
      } catch {
        return;
      }
      if (entry.msg !== "ready") return;
      isReady = true;
      clearTimeout(timer);
      child.off("exit", onEarlyExit);
      resolve({ name: options.name, child, ready: entry, stop: (graceMs) => stopChild(child, graceMs, log) });
    });
  });
}

export function stopChild(child: ChildProcess, graceMs = 10_000, log?: WriteStream): Promise<void> {
  const closeLog = (): void => void log?.end();
  if (child.exitCode !== null || child.signalCode !== null) {
    closeLog();
    return Promise.resolve();
  }
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill("SIGKILL"), graceMs);
    child.once("exit", () => {
      clearTimeout(timer);
      closeLog();
      resolve();
    });
    child.kill("SIGTERM");
  });
}
