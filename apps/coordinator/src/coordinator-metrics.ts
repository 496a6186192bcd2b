import { Counter, Gauge, Histogram, type Registry } from "prom-client";
import type { GrpcServerLabel } from "./grpc/server-metrics.js";

export interface CoordinatorMetrics {
  workflowsStarted: Counter;
  workflowsRunning: Gauge;
  workflowsFinished: Counter<"state">;
  workflowDuration: Histogram<"state">;
  callsFinished: Counter<"state">;
  tasksDispatched: Counter<"pool">;
  resultsIgnored: Counter;
  resultsRejected: Counter<"reason">;
  grpcRequests: Counter<"method" | "code">;
  grpcHandling: Histogram<GrpcServerLabel>;
  partitionsOwned: Gauge;
}

export function createCoordinatorMetrics(registry: Registry): CoordinatorMetrics {
  const registers = [registry];
  return {
    workflowsStarted: new Counter({ name: "toolmesh_workflows_started_total", help: "Workflows submitted", registers }),
    workflowsRunning: new Gauge({ name: "toolmesh_workflows_running", help: "Workflows in flight", registers }),
    workflowsFinished: new Counter({
      name: "toolmesh_workflows_finished_total",
      help: "Workflows finished",
      labelNames: ["state"],
      registers,
    }),
    workflowDuration: new Histogram({
      name: "toolmesh_workflow_duration_seconds",
      help: "Workflow wall time",
      labelNames: ["state"],
      buckets: [0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 10, 60, 300],
      registers,
    }),
    // Quiet calls (CallTool/CallTools) are no workflows: counted here, so a dashboard sees them beside the workflows.
    callsFinished: new Counter({
      name: "toolmesh_calls_finished_total",
      help: "Single calls (CallTool, CallTools) finished, by state",
      labelNames: ["state"],
      registers,
    }),
    tasksDispatched: new Counter({
      name: "toolmesh_tasks_dispatched_total",
      help: "Task attempts queued",
      labelNames: ["pool"],
      registers,
    }),
    resultsIgnored: new Counter({
      name: "toolmesh_results_ignored_total",
      help: "Results for finished tasks, old attempts or unknown workflows",
      registers,
    }),
    resultsRejected: new Counter({
      name: "toolmesh_results_rejected_total",
      help: "Results dropped as not from the holder of the attempt: unknown attempt, wrong pool, missing or wrong attempt token",
      labelNames: ["reason"],
      registers,
    }),
    grpcRequests: new Counter({
      name: "toolmesh_grpc_requests_total",
      help: "gRPC calls by method and status",
      labelNames: ["method", "code"],
      registers,
    }),
    // go-grpc-prometheus's name and labels (what gRPC dashboards and the grpc
    // mixin query), under toolmesh_ like every series here, with grpc_code
    // added so latency splits by outcome. Buckets reach 30 min: a
    // WatchWorkflow stream lasts as long as its workflow.
    grpcHandling: new Histogram({
      name: "toolmesh_grpc_server_handling_seconds",
      help: "gRPC calls handled by the server, from start to status (streams when they end), by service, method, type and status code",
      labelNames: ["grpc_service", "grpc_method", "grpc_type", "grpc_code"],
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 1800],
      registers,
    }),
    partitionsOwned: new Gauge({
      name: "toolmesh_coordinator_partitions",
      help: "Workflow partitions this coordinator owns (and runs the workflows of)",
      registers,
    }),
  };
}
