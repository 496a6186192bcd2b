import type { NatsConnection, Subscription } from "@nats-io/transport-node";
import { Subjects } from "./subjects.js";
import { decodeJson, type MetricsSnapshot } from "./wire.js";

/**
 * The metrics bus as a table: the latest snapshot of every pool instance;
 * an instance silent for `staleMs` is gone. What the coordinator's capacity
 * view, the autoscaler and `toolmesh top` all read.
 */
export class LiveSnapshots {
  readonly #snapshots = new Map<string, MetricsSnapshot>();
  readonly #staleMs: number;
  #subscription?: Subscription;

  constructor(staleMs: number) {
    this.#staleMs = staleMs;
  }

  start(nc: NatsConnection): void {
    this.#subscription = nc.subscribe(Subjects.allMetrics, {
      callback: (err, msg) => {
        if (err) return;
        try {
          const snapshot = decodeJson<MetricsSnapshot>(msg.data);
          if (snapshot.pool && snapshot.instanceId) this.#snapshots.set(snapshot.instanceId, snapshot);
        } catch {
          // Not a snapshot: someone else's message on the bus.
        }
      },
    });
  }

  stop(): void {
    this.#subscription?.unsubscribe();
  }

  /** Every live instance's latest snapshot (draining ones included). */
  live(nowMs = Date.now()): MetricsSnapshot[] {
    const cutoff = nowMs - this.#staleMs;
    for (const [id, snapshot] of this.#snapshots) if (snapshot.timeMs < cutoff) this.#snapshots.delete(id);
    return [...this.#snapshots.values()];
  }

  /** Live snapshots of one pool. */
  pool(pool: string, nowMs = Date.now()): MetricsSnapshot[] {
    return this.live(nowMs).filter((s) => s.pool === pool);
  }
}
