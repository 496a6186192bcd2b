import type { JsMsg } from "@nats-io/jetstream";
import { decodeJson, type Logger, type ResultMessage } from "@toolmesh/core";
import type { CoordinatorMetrics } from "../coordinator-metrics.js";
import { rejectResult, type AttemptTokens } from "../workflow/attempt-tokens.js";
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
export function ingestResult(deps: ResultIngestionDeps, msg: JsMsg): void {
  try {
    const result = decodeJson<ResultMessage>(msg.data);
    const run = deps.runs.get(result.workflowId);
    const rejected = run && deps.tokens.check(run, result);
    if (rejected) rejectResult(deps, result, rejected);
    else if (!(run?.onResult(result) ?? false)) deps.metrics.resultsIgnored.inc();
  } catch (err) {
    deps.log.error({ err, seq: msg.seq }, "bad result message");
  }
  deps.flusher.ackAfterSave(msg);
}
