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
