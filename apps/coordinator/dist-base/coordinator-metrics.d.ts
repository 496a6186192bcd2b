import { Counter, Gauge, Histogram, type Registry } from "prom-client";
export interface CoordinatorMetrics {
    workflowsStarted: Counter;
    workflowsRunning: Gauge;
    workflowsFinished: Counter<"state">;
    workflowDuration: Histogram<"state">;
    tasksDispatched: Counter<"pool">;
    resultsIgnored: Counter;
    resultsRejected: Counter<"reason">;
    grpcRequests: Counter<"method" | "code">;
}
export declare function createCoordinatorMetrics(registry: Registry): CoordinatorMetrics;
