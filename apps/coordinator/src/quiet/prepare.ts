import { runsInCoordinator, type PoolName } from "@toolmesh/core";
import type { CallToolRequest, RetryPolicy } from "@toolmesh/proto";
import { MAX_BACKOFF_MS, checkJsonValue, type Retry, type SpecLimits } from "@toolmesh/spec";
import { argsFingerprint, getTool, parseToolArgs } from "@toolmesh/tools";

/** A single call ready to go to its pool: the tool's arguments parsed once, its timeout and retry policy settled. */
export interface PreparedCall {
  tool: string;
  pool: PoolName;
  args: Record<string, unknown>;
  /** The fingerprint of the schema `args` were parsed with (TaskMessage.argsSchema). */
  argsSchema: string;
  timeoutMs: number;
  retry: Retry;
}

/**
 * A CallTool request checked once, the way validateWorkflow would check it
 * as a one-task workflow, or undefined when it is not for the quiet path:
 * anything validateWorkflow would refuse (it then runs, to name the problem
 * with its own words), placeholders, coordinator-run tools (synth.*) and
 * agent.run (its children attach to a WorkflowRun) take the workflow path.
 */
export function prepareQuietCall(request: CallToolRequest, limits: SpecLimits): PreparedCall | undefined {
  const spec = getTool(request.tool);
  if (!spec || runsInCoordinator(spec.pool) || request.tool === "agent.run") return undefined;
  const raw = request.args ?? {};
  const json = JSON.stringify(raw);
  if (json.includes("{{")) return undefined;
  const bytes = Buffer.byteLength(json);
  if (bytes > limits.maxSpecBytes || (limits.maxTaskBytes !== undefined && bytes > limits.maxTaskBytes)) return undefined;
  const timeoutMs = request.timeoutMs || limits.defaultTimeoutMs;
  if (timeoutMs > limits.maxTimeoutMs) return undefined;
  const retry = quietRetry(request.retry, limits.maxAttempts);
  if (!retry) return undefined;
  try {
    checkJsonValue(raw, "args");
    const args = parseToolArgs(request.tool, raw);
    return { tool: request.tool, pool: spec.pool, args, argsSchema: argsFingerprint(spec), timeoutMs, retry };
  } catch {
    return undefined;
  }
}

/** validateWorkflow's retry policy with its defaults, or undefined where it would refuse the policy. */
function quietRetry(retry: RetryPolicy | undefined, maxAttempts: number): Retry | undefined {
  const attempts = Math.max(1, retry?.maxAttempts ?? 1);
  const given = retry?.backoffMultiplier ?? 0;
  if (!Number.isFinite(given)) return undefined;
  const multiplier = given || 2;
  const initial = retry?.initialBackoffMs ?? 0;
  const max = retry?.maxBackoffMs ?? 0;
  if (attempts > maxAttempts || !(multiplier >= 1 && multiplier <= 10) || initial > MAX_BACKOFF_MS || max > MAX_BACKOFF_MS)
    return undefined;
  return { maxAttempts: attempts, initialBackoffMs: initial || 200, multiplier, maxBackoffMs: max || 10_000 };
}
