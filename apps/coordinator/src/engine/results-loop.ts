import type { Logger } from "@toolmesh/core";
import { setTimeout as sleep } from "node:timers/promises";

export interface SupervisedLoopOptions<T> {
  /** The source opened by the caller, so that a failure to open it at all reaches the caller. */
  first: AsyncIterable<T>;
  /** Opens a fresh message source after the previous one ended. */
  open(): Promise<AsyncIterable<T>>;
  handle(item: T): void;
  stopping(): boolean;
  log: Logger;
  initialBackoffMs?: number;
  maxBackoffMs?: number;
  sleep?: (ms: number) => Promise<unknown>;
  /** Cuts a backoff short, so stopping the engine does not wait out a restart delay. */
  signal?: AbortSignal;
}

/**
 * Keeps the results loop alive. A loop that ends while the engine still
 * leads is restarted in-process with backoff rather than exiting: the
 * coordinator still holds its workflows and lease, and unacked results wait
 * in TM_RESULTS, so reopening the consumer loses nothing, whereas a process
 * exit would force a failover and a full resume for a transient hiccup.
 */
export async function superviseLoop<T>(options: SupervisedLoopOptions<T>): Promise<void> {
  const { initialBackoffMs = 250, maxBackoffMs = 10_000, signal } = options;
  const wait = options.sleep ?? ((ms: number) => sleep(ms, undefined, { signal }).catch(() => undefined));
  let failures = 0;
  let source: AsyncIterable<T> | undefined = options.first;
  while (!options.stopping()) {
    let err: unknown;
    try {
      if (!source) source = await options.open();
      for await (const item of source) {
        failures = 0;
        options.handle(item);
      }
    } catch (e) {
      err = e;
    }
    source = undefined;
    if (options.stopping()) return;
    failures++;
    const delay = Math.min(maxBackoffMs, initialBackoffMs * 2 ** (failures - 1));
    options.log.error({ err, failures, restartInMs: delay }, "results loop ended while leading; restarting it");
    await wait(delay);
  }
}
