import type { Logger } from "pino";
import { shutdownTracing } from "./telemetry.js";

/**
 * In a service started by `toolmesh up` (TOOLMESH_EXIT_WITH_PARENT=<pid>):
 * calls onParentGone when that process is gone, so a killed supervisor
 * leaves no orphaned services.
 */
export function exitWithParent(onParentGone: () => void): void {
  const parent = Number(process.env.TOOLMESH_EXIT_WITH_PARENT);
  if (!Number.isInteger(parent) || parent <= 0) return;
  const timer = setInterval(() => {
    try {
      process.kill(parent, 0);
    } catch {
      clearInterval(timer);
      onParentGone();
    }
  }, 500);
  timer.unref();
}

/**
 * Runs a service's start-up; a failure (bad configuration, NATS unreachable)
 * ends the process with one clear line and exit code 1 instead of a stack.
 */
export async function runMain(service: string, main: () => Promise<unknown>): Promise<void> {
  try {
    await main();
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    process.stderr.write(`${JSON.stringify({ level: 60, service, msg: "start-up failed", error: message })}\n`);
    process.stderr.write(`${service}: ${message}\n`);
    process.exit(1);
  }
}

/**
 * How long a graceful stop may take before the process exits anyway
 * (TOOLMESH_SHUTDOWN_TIMEOUT_MS, 45 s: a worker's 30 s drain grace and
 * room to flush). A drain that waits on a NATS server which is itself gone
 * would otherwise hang forever.
 */
export function shutdownTimeoutMs(env: NodeJS.ProcessEnv = process.env): number {
  const value = Number(env.TOOLMESH_SHUTDOWN_TIMEOUT_MS);
  return Number.isFinite(value) && value > 0 ? value : 45_000;
}

/**
 * Runs `stop` once on SIGTERM, SIGINT or the supervisor's exit, then flushes
 * spans and exits 0: the one graceful-shutdown path of every service. A
 * second signal, or a stop that outlives shutdownTimeoutMs(), exits at once.
 */
export function onShutdown(log: Logger, stop: () => Promise<void>): void {
  let stopping = false;
  const run = async (reason: string): Promise<void> => {
    if (stopping) {
      log.warn({ reason }, "second stop request: exiting now");
      process.exit(1);
    }
    stopping = true;
    log.info({ reason }, "shutting down");
    const deadline = shutdownTimeoutMs();
    setTimeout(() => {
      log.error({ deadlineMs: deadline }, "graceful shutdown took too long: exiting");
      process.exit(1);
    }, deadline).unref();
    try {
      await stop();
    } catch (err) {
      log.error({ err }, "shutdown step failed");
    }
    await shutdownTracing();
    process.exit(0);
  };
  process.on("SIGTERM", () => void run("SIGTERM"));
  process.on("SIGINT", () => void run("SIGINT"));
  exitWithParent(() => void run("supervisor exited"));
}
