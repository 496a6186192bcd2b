import { ErrorCode, ToolError, abortedError } from "@toolmesh/core";

/**
 * Per-host concurrency gate: at most `limit` fetches talk to one host:port at
 * once, so a fan-out of web.fetch calls cannot hammer a single site. Waiters
 * leave the queue when their signal aborts.
 */
export class HostGate {
  private readonly active = new Map<string, number>();
  private readonly waiting = new Map<string, Array<() => void>>();
  /** When the next fetch to a host may start (politeness interval). */
  private readonly nextStart = new Map<string, number>();

  constructor(
    private readonly limit: number,
    private readonly intervalMs = 0,
  ) {}

  async acquire(host: string, signal: AbortSignal): Promise<() => void> {
    while ((this.active.get(host) ?? 0) >= this.limit) {
      signal.throwIfAborted();
      await new Promise<void>((resolve, reject) => {
        const queue = this.waiting.get(host) ?? [];
        const wake = (): void => {
          signal.removeEventListener("abort", onAbort);
          resolve();
        };
        const onAbort = (): void => {
          queue.splice(queue.indexOf(wake), 1);
          reject(signal.reason);
        };
        queue.push(wake);
        this.waiting.set(host, queue);
        signal.addEventListener("abort", onAbort, { once: true });
      });
    }
    this.active.set(host, (this.active.get(host) ?? 0) + 1);
    let released = false;
    const release = (): void => {
      if (released) return;
      released = true;
      const n = (this.active.get(host) ?? 1) - 1;
      if (n === 0) this.active.delete(host);
      else this.active.set(host, n);
      const queue = this.waiting.get(host);
      const next = queue?.shift();
      if (queue?.length === 0) this.waiting.delete(host);
      next?.();
    };
    if (this.intervalMs > 0) {
      // Reserve a start time before waiting, so concurrent callers space out.
      const now = Date.now();
      const startAt = Math.max(now, this.nextStart.get(host) ?? 0);
      this.nextStart.set(host, startAt + this.intervalMs);
      if (startAt > now) {
        await new Promise<void>((resolve, reject) => {
          const timer = setTimeout(resolve, startAt - now);
          signal.addEventListener(
            "abort",
            () => {
              clearTimeout(timer);
              release();
              reject(signal.reason);
            },
            { once: true },
          );
        });
      }
    }
    return release;
  }
}

/**
 * Maps an abort to the right code: the caller's signal means CANCELLED, our
 * own deadline DEADLINE_EXCEEDED. Anything else is passed through.
 */
export function abortError(err: unknown, caller: AbortSignal, deadline: AbortSignal, what: string, ms: number): unknown {
  if (caller.aborted) return abortedError(caller, `${what} cancelled by the caller`);
  if (deadline.aborted)
    return new ToolError(ErrorCode.DEADLINE_EXCEEDED, `${what} took longer than ${ms} ms; raise timeoutMs or try later`);
  return err;
}
