import { jetstreamManager } from "@nats-io/jetstream";
import {
  Consumers,
  LiveSnapshots,
  POOLS,
  Streams,
  Subjects,
  baseConfigSchema,
  connectNats,
  decodeJson,
  isPoolName,
  loadConfig,
  type LimitChangeEvent,
  type PoolName,
  type ScaleEvent,
} from "@toolmesh/core";
import { resolveNatsUrl } from "../connection.js";
import { setTimeout as sleep } from "node:timers/promises";
import { poolRows, renderTop } from "../top/pool-rows.js";

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
  const jsm = await jetstreamManager(nc);
  // Instances silent for three refreshes are gone.
  const snapshots = new LiveSnapshots(Math.max(5000, options.refreshMs * 3));
  snapshots.start(nc);
  const recent: Array<LimitChangeEvent | ScaleEvent> = [];
  const events = nc.subscribe(Subjects.allPoolEvents, {
    callback: (err, msg) => {
      if (err) return;
      recent.push(decodeJson<LimitChangeEvent | ScaleEvent>(msg.data));
      if (recent.length > 50) recent.shift();
    },
  });
  const live = process.stdout.isTTY && !options.once;
  const frame = async (): Promise<string> => {
    const queues = new Map<string, number>();
    // Native pools, and run-time (MCP) pools as their instances report them.
    const pools = new Set<PoolName>([
      ...(Object.keys(POOLS) as PoolName[]),
      ...snapshots.live().flatMap((s) => (s.pool && isPoolName(s.pool) ? [s.pool] : [])),
    ]);
    for (const pool of pools) {
      const info = await jsm.consumers.info(Streams.tasks(pool), Consumers.poolWorkers).catch(() => undefined);
      if (info) queues.set(pool, info.num_pending + info.num_ack_pending);
    }
    return renderTop(poolRows(snapshots.live(), queues), recent);
  };
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
    snapshots.stop();
    events.unsubscribe();
    await nc.close();
  }
  return 0;
}
