import { Counter, Gauge, Histogram, type Registry } from "prom-client";

/** The Prometheus series every worker pool exports. */
export interface WorkerMetrics {
  inFlight: Gauge<"pool">;
  limit: Gauge<"pool">;
  queueDepth: Gauge<"pool">;
  taskDuration: Histogram<"pool" | "tool" | "outcome">;
  tasks: Counter<"pool" | "tool" | "outcome">;
  errors: Counter<"pool" | "tool" | "code">;
  redeliveries: Counter<"pool">;
  ledger: Counter<"pool" | "claim">;
  level: Gauge<"pool">;
  limitChanges: Counter<"pool" | "direction" | "signal">;
  consumerNotifications: Counter<"pool" | "type">;
}

export function createWorkerMetrics(registry: Registry): WorkerMetrics {
  const registers = [registry];
  return {
    inFlight: new Gauge({ name: "toolmesh_pool_in_flight", help: "Tool calls running now", labelNames: ["pool"], registers }),
    limit: new Gauge({ name: "toolmesh_pool_limit", help: "Current concurrency limit", labelNames: ["pool"], registers }),
    queueDepth: new Gauge({
      name: "toolmesh_pool_queue_depth",
      help: "Tasks waiting in the pool's JetStream work queue",
      labelNames: ["pool"],
      registers,
    }),
    taskDuration: new Histogram({
      name: "toolmesh_task_duration_seconds",
      help: "Tool call latency in the worker",
      labelNames: ["pool", "tool", "outcome"],
      buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
      registers,
    }),
    tasks: new Counter({ name: "toolmesh_tasks_total", help: "Tool calls finished", labelNames: ["pool", "tool", "outcome"], registers }),
    errors: new Counter({
      name: "toolmesh_task_errors_total",
      help: "Tool calls failed, by code",
      labelNames: ["pool", "tool", "code"],
      registers,
    }),
    level: new Gauge({
      name: "toolmesh_pool_level",
      help: "Progressive level of the adaptive limit: 0 initial, 1 moderate, 2 aggressive, 3 maximum",
      labelNames: ["pool"],
      registers,
    }),
    limitChanges: new Counter({
      name: "toolmesh_pool_limit_changes_total",
      help: "Changes of the adaptive limit, by direction and the signal that caused them",
      labelNames: ["pool", "direction", "signal"],
      registers,
    }),
    ledger: new Counter({
      name: "toolmesh_attempt_claims_total",
      help: "Delivered attempts by what the attempt ledger said: run, replay (finished before: its result published again), unknown (side-effecting, began elsewhere, outcome lost), busy (running here already)",
      labelNames: ["pool", "claim"],
      registers,
    }),
    consumerNotifications: new Counter({
      name: "toolmesh_pool_consumer_notifications_total",
      help: "Notifications of the pool consumer's pulls, by type (heartbeats_missed, consumer_deleted, ... show a lost consumer or server)",
      labelNames: ["pool", "type"],
      registers,
    }),
    redeliveries: new Counter({
      name: "toolmesh_task_redeliveries_total",
      help: "Tasks received again after a worker died or timed out",
      labelNames: ["pool"],
      registers,
    }),
  };
}

type Outcome = "ok" | "error";

/**
 * One pool's hot series with their labels bound once: a finished task
 * costs no label hashing (prom-client looks labels up on every labelled
 * call). Per tool and outcome, made on first use.
 */
export class PoolSeries {
  readonly inFlight: Gauge.Internal<"pool">;
  readonly redeliveries: Counter.Internal;
  readonly #metrics: WorkerMetrics;
  readonly #pool: string;
  readonly #finished = new Map<string, { duration: Histogram.Internal<"pool" | "tool" | "outcome">; count: Counter.Internal }>();
  readonly #claims = new Map<string, Counter.Internal>();

  constructor(metrics: WorkerMetrics, pool: string) {
    this.#metrics = metrics;
    this.#pool = pool;
    this.inFlight = metrics.inFlight.labels({ pool });
    this.redeliveries = metrics.redeliveries.labels({ pool });
  }

  finished(tool: string, outcome: Outcome, seconds: number): void {
    const key = `${outcome}\n${tool}`;
    let series = this.#finished.get(key);
    if (!series) {
      const labels = { pool: this.#pool, tool, outcome };
      series = { duration: this.#metrics.taskDuration.labels(labels), count: this.#metrics.tasks.labels(labels) };
      this.#finished.set(key, series);
    }
    series.duration.observe(seconds);
    series.count.inc();
  }

  claim(kind: string): void {
    let counter = this.#claims.get(kind);
    if (!counter) this.#claims.set(kind, (counter = this.#metrics.ledger.labels({ pool: this.#pool, claim: kind })));
    counter.inc();
  }
}
