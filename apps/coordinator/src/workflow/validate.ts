import { SUBJECT_TOKEN, ToolError, poolOfTool, type PoolName } from "@toolmesh/core";
import type { RetryPolicy, WorkflowSpec } from "@toolmesh/proto";
import { getTool, parseToolArgs } from "@toolmesh/tools";
import { InvalidSpecError } from "./errors.js";
import { findCycle } from "./graph.js";

export interface Retry {
  maxAttempts: number;
  initialBackoffMs: number;
  multiplier: number;
  maxBackoffMs: number;
}

export interface ValidTask {
  id: string;
  tool: string;
  pool: PoolName;
  args: Record<string, unknown>;
  dependsOn: string[];
  timeoutMs: number;
  retry: Retry;
}

export interface ValidWorkflow {
  name: string;
  tasks: ValidTask[];
}

export interface SpecLimits {
  maxTasks: number;
  maxSpecBytes: number;
  defaultTimeoutMs: number;
  maxTimeoutMs: number;
  maxAttempts: number;
}

/**
 * Checks a spec completely before anything runs: sizes, ids, tools and their
 * arguments, dependencies and cycles. Throws InvalidSpecError whose message
 * names the task and field to fix.
 */
export function validateWorkflow(spec: WorkflowSpec | undefined, specBytes: number, limits: SpecLimits): ValidWorkflow {
  if (!spec) throw new InvalidSpecError("spec is required");
  if (specBytes > limits.maxSpecBytes) {
    throw new InvalidSpecError(`spec is ${specBytes} bytes; the limit is ${limits.maxSpecBytes} (TOOLMESH_MAX_SPEC_BYTES)`);
  }
  if (spec.tasks.length === 0) throw new InvalidSpecError("spec.tasks is empty: a workflow needs at least one task");
  if (spec.tasks.length > limits.maxTasks) {
    throw new InvalidSpecError(`spec has ${spec.tasks.length} tasks; the limit is ${limits.maxTasks} (TOOLMESH_MAX_TASKS)`);
  }
  const workflowTimeout = spec.defaultTimeoutMs || limits.defaultTimeoutMs;
  const ids = new Set<string>();
  const tasks: ValidTask[] = spec.tasks.map((task, index) => {
    const where = `tasks[${index}]${task.id ? ` (id "${task.id}")` : ""}`;
    if (!SUBJECT_TOKEN.test(task.id)) {
      throw new InvalidSpecError(`${where}: id must be 1-64 letters, digits, '_' or '-'`);
    }
    if (ids.has(task.id)) throw new InvalidSpecError(`${where}: duplicate task id "${task.id}"`);
    ids.add(task.id);
    const pool = poolOfTool(task.tool);
    if (!getTool(task.tool) || !pool) {
      throw new InvalidSpecError(`${where}: unknown tool "${task.tool}"`);
    }
    let args: Record<string, unknown>;
    try {
      args = parseToolArgs(task.tool, task.args ?? {});
    } catch (err) {
      throw new InvalidSpecError(`${where}: ${err instanceof ToolError ? err.message : String(err)}`);
    }
    const timeoutMs = task.timeoutMs || workflowTimeout;
    if (timeoutMs > limits.maxTimeoutMs) {
      throw new InvalidSpecError(`${where}: timeoutMs ${timeoutMs} exceeds the limit ${limits.maxTimeoutMs}`);
    }
    return {
      id: task.id,
      tool: task.tool,
      pool,
      args,
      dependsOn: [...new Set(task.dependsOn)],
      timeoutMs,
      retry: validateRetry(task.retry, where, limits.maxAttempts),
    };
  });
  for (const task of tasks) {
    for (const dep of task.dependsOn) {
      if (dep === task.id) throw new InvalidSpecError(`task "${task.id}" depends on itself`);
      if (!ids.has(dep)) throw new InvalidSpecError(`task "${task.id}" depends on unknown task "${dep}"`);
    }
  }
  const cycle = findCycle(new Map(tasks.map((t) => [t.id, t.dependsOn])));
  if (cycle) throw new InvalidSpecError(`dependsOn has a cycle: ${cycle.join(" → ")}; remove one of these edges`);
  return { name: spec.name || "workflow", tasks };
}

function validateRetry(retry: RetryPolicy | undefined, where: string, maxAttempts: number): Retry {
  const attempts = Math.max(1, retry?.maxAttempts ?? 1);
  if (attempts > maxAttempts) {
    throw new InvalidSpecError(`${where}: retry.maxAttempts ${attempts} exceeds the limit ${maxAttempts}`);
  }
  const multiplier = retry?.backoffMultiplier || 2;
  if (multiplier < 1 || multiplier > 10) throw new InvalidSpecError(`${where}: retry.backoffMultiplier must be within 1..10`);
  return {
    maxAttempts: attempts,
    initialBackoffMs: retry?.initialBackoffMs || 200,
    multiplier,
    maxBackoffMs: retry?.maxBackoffMs || 10_000,
  };
}

/** Delay before attempt `nextAttempt` (2, 3, …), with ±20 % jitter. */
export function backoffMs(retry: Retry, nextAttempt: number): number {
  const base = Math.min(retry.maxBackoffMs, retry.initialBackoffMs * retry.multiplier ** (nextAttempt - 2));
  return Math.round(base * (0.8 + Math.random() * 0.4));
}
