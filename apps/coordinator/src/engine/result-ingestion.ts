import type { JsMsg } from "@nats-io/jetstream";
import { context } from "@opentelemetry/api";
import { Bus, decodeJson, startProcessSpan, type Logger, type ResultMessage } from "@toolmesh/core";
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
  // A CONSUMER span under the worker's PRODUCER span (its headers): what the result sets off — the next
  // dispatches, the events — happens inside it, so their publishes join the workflow's trace.
  const { span, ctx } = startProcessSpan({ subject: msg.subject, template: RESULT_TEMPLATE }, msg.headers, {
    attributes: { "messaging.message.id": msg.headers?.get("Nats-Msg-Id") ?? "" },
  });
  context.with(ctx, () => {
    try {
      const result = decodeJson<ResultMessage>(msg.data);
      span.setAttributes({ "toolmesh.workflow_id": result.workflowId, "toolmesh.task_id": result.taskId });
      const run = deps.runs.get(result.workflowId);
      const rejected = run && deps.tokens.check(run, result);
      if (rejected) rejectResult(deps, result, rejected);
      else if (!(run?.onResult(result) ?? false)) deps.metrics.resultsIgnored.inc();
    } catch (err) {
      deps.log.error({ err, seq: msg.seq }, "bad result message");
    }
  });
  span.end();
  deps.flusher.ackAfterSave(msg);
}

const RESULT_TEMPLATE = `${Bus.data}.result.{route}.{workflow_id}`;
