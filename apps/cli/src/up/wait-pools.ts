import type { ToolmeshClient } from "@toolmesh/client";
import { setTimeout as sleep } from "node:timers/promises";
import { StartInterrupted } from "./supervisor.js";

export interface WaitForPoolsOptions {
  client: ToolmeshClient;
  pools: readonly string[];
  /** The whole wait's limit. */
  timeoutMs: number;
  signal: AbortSignal;
  /** Set when a worker failed to start: stop waiting and fail with it. */
  failure: () => string | undefined;
  /** Called every few seconds with what is still missing. */
  onWaiting: (missing: readonly string[], elapsedMs: number) => void;
  pollMs?: number;
  reportEveryMs?: number;
}

/** Waits until every pool has a live worker on the metrics bus, as the coordinator sees it. */
export async function waitForPools(options: WaitForPoolsOptions): Promise<void> {
  const started = Date.now();
  let lastReport = started;
  for (;;) {
    if (options.signal.aborted) throw new StartInterrupted("stopped during start-up");
    const failure = options.failure();
    if (failure) throw new Error(failure);
    const live = new Set((await options.client.capacity()).pools.filter((p) => p.instances > 0).map((p) => p.pool));
    const missing = options.pools.filter((p) => !live.has(p));
    if (missing.length === 0) return;
    const elapsed = Date.now() - started;
    if (elapsed > options.timeoutMs) {
      throw new Error(
        `no ${missing.join(", ")} worker came up within ${Math.round(options.timeoutMs / 1000)} s (raise it with --ready-timeout); see the logs`,
      );
    }
    if (Date.now() - lastReport >= (options.reportEveryMs ?? 5000)) {
      lastReport = Date.now();
      options.onWaiting(missing, elapsed);
    }
    // An abort ends the wait early; the loop's first line then reports it as StartInterrupted.
    await sleep(options.pollMs ?? 250, undefined, { signal: options.signal }).catch(() => undefined);
  }
}
