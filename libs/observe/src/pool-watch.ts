import { jetstreamManager, type JetStreamManager } from "@nats-io/jetstream";
import type { NatsConnection, Subscription } from "@nats-io/transport-node";
import {
  Consumers,
  LiveSnapshots,
  NATIVE_POOLS,
  Streams,
  Subjects,
  decodeJson,
  isPoolName,
  type LimitChangeEvent,
  type PoolName,
  type ScaleEvent,
} from "@toolmesh/core";
import { poolRows, type PoolRow } from "./pool-rows.js";

export type PoolChange = LimitChangeEvent | ScaleEvent;

export interface PoolWatchOptions {
  /** An instance silent this long is gone. */
  staleMs: number;
  /** Limit and replica changes kept, newest last. */
  keepChanges?: number;
}

/**
 * The pools as a read-only observer sees them: each live instance's latest
 * snapshot from the metrics bus, the pool events (limit and replica changes
 * with their reasons) and each pool's consumer (queue depth). `toolmesh top`
 * prints it; the console draws it. Needs only the observer role's rights.
 */
export class PoolWatch {
  readonly #nc: NatsConnection;
  readonly #snapshots: LiveSnapshots;
  readonly #changes: PoolChange[] = [];
  readonly #keep: number;
  #events?: Subscription;
  #jsm?: Promise<JetStreamManager>;

  constructor(nc: NatsConnection, options: PoolWatchOptions) {
    this.#nc = nc;
    this.#snapshots = new LiveSnapshots(options.staleMs);
    this.#keep = options.keepChanges ?? 50;
  }

  start(): this {
    this.#snapshots.start(this.#nc);
    this.#events = this.#nc.subscribe(Subjects.allPoolEvents, {
      callback: (err, msg) => {
        if (err) return;
        try {
          this.#changes.push(decodeJson<PoolChange>(msg.data));
        } catch {
          return;
        }
        if (this.#changes.length > this.#keep) this.#changes.shift();
      },
    });
    return this;
  }

  /** The latest limit and replica changes, oldest first. */
  changes(): readonly PoolChange[] {
    return [...this.#changes];
  }

  /** Queue depth per pool: the workers' consumer's pending plus ack-pending messages. */
  async queues(pools: Iterable<PoolName>): Promise<Map<string, number>> {
    this.#jsm ??= jetstreamManager(this.#nc);
    const jsm = await this.#jsm;
    const queues = new Map<string, number>();
    await Promise.all(
      [...pools].map(async (pool) => {
        const info = await jsm.consumers.info(Streams.tasks(pool), Consumers.poolWorkers).catch(() => undefined);
        if (info) queues.set(pool, info.num_pending + info.num_ack_pending);
      }),
    );
    return queues;
  }

  /** One row per pool with live instances: the same numbers `toolmesh top` prints. */
  async rows(): Promise<PoolRow[]> {
    const live = this.#snapshots.live();
    // Native pools, and run-time (MCP) pools as their instances report them.
    const pools = new Set<PoolName>([...NATIVE_POOLS, ...live.flatMap((s) => (s.pool && isPoolName(s.pool) ? [s.pool] : []))]);
    return poolRows(live, await this.queues(pools));
  }

  stop(): void {
    this.#snapshots.stop();
    this.#events?.unsubscribe();
  }
}
