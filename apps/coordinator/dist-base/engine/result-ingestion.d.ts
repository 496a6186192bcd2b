import type { JsMsg } from "@nats-io/jetstream";
import { type Logger } from "@toolmesh/core";
import type { CoordinatorMetrics } from "../coordinator-metrics.js";
import { type AttemptTokens } from "../workflow/attempt-tokens.js";
import type { RunRegistry } from "./run-registry.js";
import type { StateFlusher } from "./state-flusher.js";
export interface ResultIngestionDeps {
    runs: RunRegistry;
    tokens: AttemptTokens;
    flusher: StateFlusher;
    log: Logger;
    metrics: CoordinatorMetrics;
}
/**
 * Applies a result at once; it is acked only once the state it changed is
 * stored, so a coordinator that dies in between leaves the result in
 * TM_RESULTS for its successor.
 */
export declare function ingestResult(deps: ResultIngestionDeps, msg: JsMsg): void;
