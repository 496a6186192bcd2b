import type { NatsConnection, Subscription } from "@nats-io/transport-node";
import { Subjects, decodeJson, type MetricsSnapshot } from "@toolmesh/core";

/**
 * The latest snapshot of every instance on the metrics bus; an instance
 * silent for `staleMs` is gone (the coordinator's CapacityView reads the
 * bus the same way).
 */
export class MetricsView {
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

  /** Live snapshots of one pool (draining ones included; the policy leaves them out). */
  pool(pool: string, nowMs = Date.now()): MetricsSnapshot[] {
    const cutoff = nowMs - this.#staleMs;
    const found: MetricsSnapshot[] = [];
    for (const [id, snapshot] of this.#snapshots) {
      if (snapshot.timeMs < cutoff) this.#snapshots.delete(id);
      else if (snapshot.pool === pool) found.push(snapshot);
    }
    return found;
  }
}
