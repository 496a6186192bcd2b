import { spawn, type ChildProcess } from "node:child_process";
import { createWriteStream, type WriteStream } from "node:fs";
import { createInterface } from "node:readline";
import { cpuTicks } from "./proc.js";

export interface ServiceProcess {
  name: string;
  child: ChildProcess;
  /** The fields of the service's `"msg":"ready"` log line (ports, ids). */
  ready: Record<string, unknown>;
  /** SIGTERM (the service drains), SIGKILL after graceMs. */
  stop(graceMs?: number): Promise<void>;
  /** SIGKILL now, to its whole process group when it has one of its own. */
  kill(): void;
}

/**
 * Node options of a pool worker process: V8's young generation at 1 MiB a
 * semi-space (16 by default) and its heap allowed to grow 20 % past what
 * survived the last full GC (up to 4x by default). A worker's live heap is
 * ~15-25 MB; with the defaults a busy one held 115-170 MB of RSS, with these
 * 72-76 MB, for 10-20 % more worker CPU per call (docs/architecture.md, "Worker memory").
 * Command-line flags: NODE_OPTIONS does not take --heap-growing-percent.
 */
export const WORKER_NODE_ARGS: readonly string[] = ["--max-semi-space-size=1", "--heap-growing-percent=20"];

export interface StartServiceOptions {
  name: string;
  /** The script to run with this Node binary. */
  script: string;
  env: Record<string, string | undefined>;
  /** Where the service's JSON logs go; omitted: discarded. */
  logFile?: string;
  /**
   * How long the service may go without progress before it counts as stuck:
   * progress is a log line or CPU time spent, so a slow start on a loaded
   * machine is waited for while a hung one is not (60 s).
   */
  readyTimeoutMs?: number;
  /**
   * Runs it in a process group of its own (with everything it starts), so a
   * terminal's Ctrl-C reaches only the supervisor, which then stops the
   * services in order instead of each reacting on its own.
   */
  processGroup?: boolean;
  /** Every log line after "ready" (the supervisor watches its services). */
  onLine?: (line: string) => void;
  /** Aborting stops waiting for "ready" and kills the child. */
  signal?: AbortSignal;
  /** Node options before the script. */
  nodeArgs?: string[];
}

/** A service that exited, stalled or was aborted before it logged "ready". */
export class ServiceStartError extends Error {
  override readonly name = "ServiceStartError";
  constructor(
    readonly service: string,
    /** The first error the service printed (its start-up failure), or why it was given up on. */
    readonly firstError: string,
    readonly recentLines: readonly string[],
    /** The signal that ended it, if one did (SIGINT: a Ctrl-C reached it too). */
    readonly exitSignal?: NodeJS.Signals | undefined,
  ) {
    super(`${service}: ${firstError}`);
  }
}

const PROGRESS_CHECK_MS = 1000;

/**
 * The first line that says what went wrong: a JSON log entry at error level
 * (its `error` or `msg`), else the first non-JSON line that looks like one.
 */
export function firstErrorLine(lines: readonly string[]): string | undefined {
  for (const line of lines) {
    try {
      const entry = JSON.parse(line) as { level?: number; msg?: string; error?: string; err?: { message?: string } };
      if ((entry.level ?? 0) >= 50) return entry.error ?? entry.err?.message ?? entry.msg;
    } catch {
      if (/error|fail|cannot|not found|denied/i.test(line)) return line.trim();
    }
  }
  return undefined;
}

/**
 * Starts a toolmesh service as a child process and resolves once it logs
 * "ready". The child exits by itself if this process dies (even by SIGKILL):
 * TOOLMESH_EXIT_WITH_PARENT makes it watch its parent pid.
 */
export function startServiceProcess(options: StartServiceOptions): Promise<ServiceProcess> {
  const child = spawn(process.execPath, [...(options.nodeArgs ?? []), options.script], {
    env: { ...process.env, ...options.env, TOOLMESH_EXIT_WITH_PARENT: String(process.pid) },
    stdio: ["ignore", "inherit", "pipe"],
    detached: options.processGroup ?? false,
  });
  const group = options.processGroup === true;
  const kill = (): void => killTree(child, group);
  const log: WriteStream | undefined = options.logFile ? createWriteStream(options.logFile, { flags: "a" }) : undefined;
  const recent: string[] = [];
  const stallMs = options.readyTimeoutMs ?? 60_000;
  return new Promise((resolve, reject) => {
    let lastProgress = Date.now();
    let lastTicks = -1;
    let settled = false;
    const fail = (reason: string, exitSignal?: NodeJS.Signals): void => {
      if (settled) return;
      settled = true;
      cleanup();
      kill();
      reject(new ServiceStartError(options.name, firstErrorLine(recent) ?? reason, [...recent], exitSignal ?? undefined));
    };
    const watchdog = setInterval(() => {
      const ticks = child.pid ? cpuTicks(child.pid) : undefined;
      if (ticks !== undefined && ticks !== lastTicks) {
        lastTicks = ticks;
        lastProgress = Date.now();
      }
      if (Date.now() - lastProgress > stallMs) fail(`made no progress for ${Math.round(stallMs / 1000)} s before it was ready`);
    }, PROGRESS_CHECK_MS);
    const onAbort = (): void => fail("start-up was interrupted");
    const onEarlyExit = (code: number | null, signal: NodeJS.Signals | null): void =>
      fail(`exited with ${signal ?? code} before it was ready`, signal ?? undefined);
    const onSpawnError = (err: Error): void => fail(err.message);
    const cleanup = (): void => {
      clearInterval(watchdog);
      options.signal?.removeEventListener("abort", onAbort);
      child.off("exit", onEarlyExit);
      child.off("error", onSpawnError);
    };
    if (options.signal?.aborted) return onAbort();
    options.signal?.addEventListener("abort", onAbort, { once: true });
    child.once("exit", onEarlyExit);
    child.once("error", onSpawnError);
    createInterface({ input: child.stderr }).on("line", (line) => {
      log?.write(`${line}\n`);
      if (settled) {
        options.onLine?.(line);
        return;
      }
      lastProgress = Date.now();
      recent.push(line);
      if (recent.length > 40) recent.shift();
      let entry: Record<string, unknown>;
      try {
        entry = JSON.parse(line) as Record<string, unknown>;
      } catch {
        return;
      }
      if (entry.msg !== "ready") return;
      settled = true;
      cleanup();
      resolve({ name: options.name, child, ready: entry, stop: (graceMs) => stopChild(child, graceMs, log, group), kill });
    });
  });
}

function killTree(child: ChildProcess, group: boolean): void {
  if (child.pid === undefined) return;
  try {
    // A negative pid is the process group: the service and all it started.
    if (group) process.kill(-child.pid, "SIGKILL");
    else child.kill("SIGKILL");
  } catch {
    // already gone
  }
}

export function stopChild(child: ChildProcess, graceMs = 10_000, log?: WriteStream, group = false): Promise<void> {
  const closeLog = (): void => void log?.end();
  if (child.exitCode !== null || child.signalCode !== null) {
    closeLog();
    return Promise.resolve();
  }
  return new Promise((resolve) => {
    const timer = setTimeout(() => killTree(child, group), graceMs);
    child.once("exit", () => {
      clearTimeout(timer);
      // Whatever it left behind in its group (a worker it failed to stop) goes with it.
      if (group) killTree(child, true);
      closeLog();
      resolve();
    });
    child.kill("SIGTERM");
  });
}
