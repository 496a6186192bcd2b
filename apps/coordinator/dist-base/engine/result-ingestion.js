import { decodeJson } from "@toolmesh/core";
import { rejectResult } from "../workflow/attempt-tokens.js";
/**
 * Applies a result at once; it is acked only once the state it changed is
 * stored, so a coordinator that dies in between leaves the result in
 * TM_RESULTS for its successor.
 */
export function ingestResult(deps, msg) {
    try {
        const result = decodeJson(msg.data);
        const run = deps.runs.get(result.workflowId);
        const rejected = run && deps.tokens.check(run, result);
        if (rejected)
            rejectResult(deps, result, rejected);
        else if (!(run?.onResult(result) ?? false))
            deps.metrics.resultsIgnored.inc();
    }
    catch (err) {
        deps.log.error({ err, seq: msg.seq }, "bad result message");
    }
    deps.flusher.ackAfterSave(msg);
}
//# sourceMappingURL=result-ingestion.js.map