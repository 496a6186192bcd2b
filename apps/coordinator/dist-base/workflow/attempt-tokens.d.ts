import type { KV } from "@nats-io/kv";
import { type Logger, type ResultMessage } from "@toolmesh/core";
import type { CoordinatorMetrics } from "../coordinator-metrics.js";
import type { WorkflowRun } from "./run.js";
/** Why a result was not accepted as the attempt holder's (toolmesh_results_rejected_total{reason}). */
export type RejectReason = "unknown_attempt" | "wrong_pool" | "missing_token" | "bad_token";
/**
 * Attempt tokens: every dispatched attempt carries a token only the
 * coordinators and the pool's workers (the only readers of the pool's queue)
 * see; a result counts only when it echoes it and the pool.
 *
 * The token is an HMAC of (pool, workflow, task, attempt) under a secret all
 * coordinator replicas share, not a random value kept in the task record: a
 * coordinator that dies between publishing an attempt and storing its state
 * would leave its successor without the token (the successor then sends the
 * same attempt again, JetStream drops the copy as a duplicate, and the real
 * result would be refused). Derived tokens are the same on every replica and
 * on every resend, and nothing per attempt needs storing.
 */
export declare class AttemptTokens {
    #private;
    private constructor();
    /** The stack's secret from the store, made by whichever replica comes first. */
    static open(kv: KV, log: Logger): Promise<AttemptTokens>;
    close(): void;
    /** The token of one attempt on one pool. */
    token(pool: string, workflowId: string, taskId: string, attempt: number): string;
    /** agent.run's capability for one attempt (what a child's ParentRef must carry): the same on a resend and on a successor. */
    capability(workflowId: string, taskId: string, attempt: number): string;
    /**
     * Whether `result` may be applied as coming from the holder of the
     * attempt it names: undefined when it may (or when it is a late result of
     * an attempt already superseded, which the run ignores anyway), else why
     * not. A coordinator-run task (synthesis, a fan-out, a shared call) was
     * never dispatched, so no result from outside can be its.
     */
    check(run: WorkflowRun, result: ResultMessage): RejectReason | undefined;
}
/** Drops a result that is not the attempt holder's: a warning naming the attempt (never a token) and the metric. */
export declare function rejectResult(deps: {
    log: Logger;
    metrics: CoordinatorMetrics;
}, result: ResultMessage, reason: RejectReason): void;
