import { Counter, Gauge, type Registry } from "prom-client";

/** The autoscaler's Prometheus series. */
export interface AutoscalerMetrics {
  desired: Gauge<"pool">;
  replicas: Gauge<"pool">;
  decisions: Counter<"pool" | "direction">;
  errors: Counter<"pool" | "reason">;
}

export function createAutoscalerMetrics(registry: Registry): AutoscalerMetrics {
  const registers = [registry];
  return {
    desired: new Gauge({
      name: "toolmesh_autoscaler_desired_replicas",
      help: "Replicas the autoscaler decided for the pool",
      labelNames: ["pool"],
      registers,
    }),
    replicas: new Gauge({
      name: "toolmesh_autoscaler_replicas",
      help: "Replicas the backend runs for the pool",
      labelNames: ["pool"],
      registers,
    }),
    decisions: new Counter({
      name: "toolmesh_autoscaler_decisions_total",
      help: "Scaling decisions, by direction (up, down, hold)",
      labelNames: ["pool", "direction"],
      registers,
    }),
    errors: new Counter({
      name: "toolmesh_autoscaler_errors_total",
      help: "Pools not measured or not scaled: stream-missing, consumer-missing, jetstream, backend-read, apply",
      labelNames: ["pool", "reason"],
      registers,
    }),
  };
}
