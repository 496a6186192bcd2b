import { spawn, type ChildProcess } from "node:child_process";
import { createWriteStream, existsSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { findNatsServer } from "./install.js";
import { cpuTicks } from "./proc.js";

export interface NatsServerHandle {
  /** nats://127.0.0.1:<port> */
  url: string;
  port: number;
  /** JetStream store directory (removed by stop()). */
  storeDir: string;
  /** The server's process id (undefined in a container). */
  readonly pid: number | undefined;
  /** "process" here; "container" when testcontainers ran it. */
  kind: "process" | "container";
  /** Stops the server (SIGTERM, SIGKILL after graceMs, 5 s); the store survives when keepStore (for restart()). */
  stop(options?: { keepStore?: boolean; graceMs?: number }): Promise<void>;
  /** Starts it again on the same port and store, as after a crash. */
  restart(): Promise<void>;
  [Symbol.asyncDispose](): Promise<void>;
}

export class NatsServerNotFoundError extends Error {
  override readonly name = "NatsServerNotFoundError";
  constructor(binary: string) {
    super(`${binary} not found: install it (Debian: apt-get install -y nats-server) or set NATS_SERVER_BIN`);
  }
}

interface Started {
  child: ChildProcess;
  port: number;
}

/**
 * setpriv(1) sets the kernel's parent-death signal before it execs the
 * server, so the server goes when this process does, even by SIGKILL
 * (nats-server cannot watch its parent the way our own services do).
 */
const READY_STALL_MS = 30_000;

const setpriv = ["/usr/bin/setpriv", "/bin/setpriv"].find((path) => existsSync(path));

interface LaunchOptions {
  processGroup: boolean;
  configFile?: string | undefined;
  logFile?: string | undefined;
}

function launch(binary: string, storeDir: string, port: number, { processGroup, configFile, logFile }: LaunchOptions): Promise<Started> {
  // The flags win over the file: the file adds what flags cannot say (authorization).
  const args = [...(configFile ? ["-c", configFile] : []), "-a", "127.0.0.1", "-p", String(port), "-js", "-sd", storeDir];
  const [command, argv] = setpriv ? [setpriv, ["--pdeathsig", "TERM", "--", binary, ...args]] : [binary, args];
  const child = spawn(command, argv, { stdio: ["ignore", "ignore", "pipe"], detached: processGroup });
  return new Promise<Started>((resolve, reject) => {
    let listeningPort = 0;
    const log: string[] = [];
    // Given up on only when it shows no progress (no line, no CPU time) for
    // READY_STALL_MS: a loaded machine may take long to start it, a hung one never does.
    let lastProgress = Date.now();
    let lastTicks = -1;
    const timer = setInterval(() => {
      const ticks = child.pid ? cpuTicks(child.pid) : undefined;
      if (ticks !== undefined && ticks !== lastTicks) {
        lastTicks = ticks;
        lastProgress = Date.now();
      }
      if (Date.now() - lastProgress < READY_STALL_MS) return;
      clearInterval(timer);
      child.kill("SIGKILL");
      reject(new Error(`nats-server made no progress for ${READY_STALL_MS / 1000} s before it was ready:\n${log.join("\n")}`));
    }, 1000);
    child.once("error", (err: NodeJS.ErrnoException) => {
      clearInterval(timer);
      reject(err.code === "ENOENT" ? new NatsServerNotFoundError(binary) : err);
    });
    child.once("exit", (code) => {
      clearInterval(timer);
      // setpriv's own "failed to execute" is how a missing binary shows through it.
      if (code === 127 || log.some((line) => line.includes("failed to execute"))) reject(new NatsServerNotFoundError(binary));
      else reject(new Error(`nats-server exited with ${code} before it was ready:\n${log.join("\n")}`));
    });
    // Keep reading stderr for the server's whole life, or it blocks on a full pipe.
    const lines = createInterface({ input: child.stderr });
    const logStream = logFile ? createWriteStream(logFile, { flags: "a", mode: 0o600 }) : undefined;
    child.once("exit", () => logStream?.end());
    lines.on("line", (line) => {
      logStream?.write(`${line}\n`);
      lastProgress = Date.now();
      if (log.length < 200) log.push(line);
      const match = /Listening for client connections on [^:]+:(\d+)/.exec(line);
      if (match) listeningPort = Number(match[1]);
      if (line.includes("Server is ready") && listeningPort > 0) {
        clearInterval(timer);
        child.removeAllListeners("exit");
        resolve({ child, port: listeningPort });
      }
    });
  });
}

function stopChild(child: ChildProcess, graceMs = 5_000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise<void>((resolve) => {
    const timer = setTimeout(() => child.kill("SIGKILL"), graceMs);
    child.once("exit", () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill("SIGTERM");
  });
}

/**
 * Starts a nats-server with JetStream on a random loopback port, its store in
 * `storeDir` or a fresh temp dir (removed by stop()). Needs the nats-server
 * binary: NATS_SERVER_BIN, or nats-server on PATH.
 */
export interface StartNatsOptions {
  binary?: string;
  storeDir?: string;
  processGroup?: boolean;
  /** A nats-server config file (e.g. @toolmesh/core writeNatsAuth's, with users and permissions). */
  configFile?: string;
  /** Where the server's own log lines go too (its "Permissions Violation" lines, say), appended. */
  logFile?: string;
}

export async function startNatsServer(options: StartNatsOptions = {}): Promise<NatsServerHandle> {
  const processGroup = options.processGroup ?? false;
  const binary = options.binary ?? findNatsServer() ?? "nats-server";
  const storeDir = options.storeDir ?? (await mkdtemp(join(tmpdir(), "toolmesh-nats-")));
  const launchOptions: LaunchOptions = { processGroup, configFile: options.configFile, logFile: options.logFile };
  let current = await launch(binary, storeDir, -1, launchOptions).catch(async (err: unknown) => {
    await rm(storeDir, { recursive: true, force: true });
    throw err;
  });
  const port = current.port;
  const handle: NatsServerHandle = {
    url: `nats://127.0.0.1:${port}`,
    port,
    storeDir,
    get pid() {
      return current.child.pid;
    },
    kind: "process",
    async stop(opts) {
      await stopChild(current.child, opts?.graceMs);
      if (!opts?.keepStore) await rm(storeDir, { recursive: true, force: true });
    },
    async restart() {
      await stopChild(current.child);
      current = await launch(binary, storeDir, port, launchOptions);
    },
    [Symbol.asyncDispose]: () => handle.stop(),
  };
  return handle;
}
