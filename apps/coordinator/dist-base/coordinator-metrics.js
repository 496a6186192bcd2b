import { Counter, Gauge, Histogram } from "prom-client";
export function createCoordinatorMetrics(registry) {
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
    };
}
//# sourceMappingURL=coordinator-metrics.js.map