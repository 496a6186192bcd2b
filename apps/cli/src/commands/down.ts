import { findStack, processIsAlive } from "@toolmesh/local";
import { setTimeout as sleep } from "node:timers/promises";

export interface DownOptions {
  /** How long to wait for the stack to stop before killing it (20 s). */
  timeoutS?: number | undefined;
}

/**
 * `toolmesh down`: stops the stack that `up` started, from any terminal: it
 * sends `up` a SIGTERM (which stops everything as Ctrl-C does) and waits
 * until `up` has exited; past the timeout it kills `up`, whose services then
 * exit by themselves (they watch their parent).
 */
export async function downCommand(options: DownOptions): Promise<number> {
  const found = findStack();
  if (!found.state) {
    process.stderr.write(
      found.stale
        ? `no stack is running: the one in ${found.path} is gone already (up pid ${found.stale.pid})\n`
        : `no stack is running (no ${found.path})\n`,
    );
    return 1;
  }
  const { pid } = found.state;
  const started = Date.now();
  const deadline = started + (options.timeoutS ?? 20) * 1000;
  process.kill(pid, "SIGTERM");
  process.stderr.write(`stopping the stack of up pid ${pid} ...\n`);
  while (processIsAlive(pid)) {
    if (Date.now() > deadline) {
      process.stderr.write(`up pid ${pid} did not stop in ${options.timeoutS ?? 20} s: killing it\n`);
      process.kill(pid, "SIGKILL");
      return 1;
    }
    await sleep(100);
  }
  process.stderr.write(`stopped in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
  return 0;
}
