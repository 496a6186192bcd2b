import { baseConfigSchema, connectNats, loadConfig } from "@toolmesh/core";
import { PoolWatch } from "@toolmesh/observe";
import { resolveNatsUrl } from "../connection.js";
import { setTimeout as sleep } from "node:timers/promises";
import { renderTop } from "../top/render.js";

export interface TopOptions {
  /** Print one frame after one refresh and exit (scripts, non-terminals). */
  once: boolean;
  refreshMs: number;
}

/**
 * `toolmesh top`: a live view of every pool from the metrics bus (the
 * instances' snapshots), the pools' JetStream consumers (queue depth) and
 * the pool events (limit and replica changes, with their reasons). NATS:
 * TOOLMESH_NATS_URL, else the running stack's, else nats://127.0.0.1:4222.
 */
export async function topCommand(options: TopOptions): Promise<number> {
  // Read-only: the observer role (metrics, pool events, queue depths).
  const nats = resolveNatsUrl({ role: "observer" });
  const config = loadConfig("toolmesh top", baseConfigSchema, { ...process.env, TOOLMESH_NATS_URL: nats.url, ...nats.credentials });
  let nc: Awaited<ReturnType<typeof connectNats>>;
  try {
    nc = await connectNats(config, "toolmesh-top");
  } catch (err) {
    process.stderr.write(`error: cannot reach NATS at ${nats.url} (${nats.source}): ${err instanceof Error ? err.message : String(err)}\n`);
    return 1;
  }
  // Instances silent for three refreshes are gone.
  const watch = new PoolWatch(nc, { staleMs: Math.max(5000, options.refreshMs * 3) }).start();
  const live = process.stdout.isTTY && !options.once;
  const frame = async (): Promise<string> => renderTop(await watch.rows(), watch.changes());
  let stop = false;
  const onInterrupt = (): void => {
    stop = true;
  };
  process.once("SIGINT", onInterrupt);
  try {
    do {
      await sleep(options.refreshMs);
      const text = await frame();
      process.stdout.write(live ? `\x1b[H\x1b[2J${text}\n` : `${text}\n`);
    } while (!options.once && !stop);
  } finally {
    process.off("SIGINT", onInterrupt);
    watch.stop();
    await nc.close();
  }
  return 0;
}
