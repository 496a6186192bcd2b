import { ToolError, compileSafeRegex, mcpNameProblem, mcpPoolName } from "@toolmesh/core";
import type { FanIn, ForEach, RetryPolicy, WorkflowSpec } from "@toolmesh/proto";
import { getTool, parseToolArgs, type ToolPool } from "@toolmesh/tools";
import { InvalidSpecError, SpecTooLargeError } from "./errors.js";
import { fanInModeName } from "./fan-in-modes.js";
import { JOIN_ALL, type FanInPolicy } from "./fan-in.js";
import { findCycle } from "./graph.js";
import { checkId, checkJsonValue, checkText, shown } from "./ids.js";
import { placeholdersIn } from "./placeholders.js";

export interface Retry {
  maxAttempts: number;
  initialBackoffMs: number;
  multiplier: number;
  maxBackoffMs: number;
}

export interface ValidTask {
  id: string;
  tool: string;
  pool: ToolPool;
  /** Parsed with the tool's schema, or as given when they hold placeholders (checked again once filled). */
  args: Record<string, unknown>;
  /** The args still hold {{...}} placeholders. */
  templated: boolean;
  dependsOn: string[];
  timeoutMs: number;
  retry: Retry;
  forEach?: { from: string; items: string; maxItems: number; match?: string };
  /** Joins the fan-out's items when forEach is set, else the dependencies. */
  fanIn: FanInPolicy;
  stage: string;
  /** Identical calls may share one run (the tool is side-effect free). */
  shareable: boolean;
}

export interface ValidWorkflow {
  name: string;
  tasks: ValidTask[];
  priority: number;
  maxConcurrency: number;
  maxCalls: number;
  parent?: { workflowId: string; taskId: string; capability: string };
}

export interface SpecLimits {
  maxTasks: number;
  maxSpecBytes: number;
  defaultTimeoutMs: number;
  maxTimeoutMs: number;
  maxAttempts: number;
  /** Default and upper bound of a workflow's calls (fan-out items included). */
  maxCalls: number;
  /** Default cap of one fan-out's items. */
  maxItems: number;
  /**
   * Most bytes one task's arguments may take as JSON: its task message and
   * stored record must fit one NATS message (the server's max_payload less
   * room for the rest). Unset: not checked.
   */
  maxTaskBytes?: number;
}

export interface ValidateOptions {
  /**
   * A tool this process does not know: "refuse" it (the coordinator, which
   * follows the run-time catalog), or "defer" it (a client, which cannot
   * know the MCP pools' tools): a name that could be an MCP pool's
   * `<name>.<tool>` then passes with its arguments unchecked, for the
   * coordinator to judge on submit. Default "refuse".
   */
  unknownTools?: "refuse" | "defer";
}

/** Ceiling of retry.initialBackoffMs and retry.maxBackoffMs. */
export const MAX_BACKOFF_MS = 10 * 60 * 1000;

/**
 * Checks a spec completely before anything runs: sizes, ids, tools and their
 * arguments, dependencies and cycles. Throws InvalidSpecError whose message
 * names the task and field to fix.
 */
export function validateWorkflow(
  spec: WorkflowSpec | undefined,
  specBytes: number,
  limits: SpecLimits,
  options: ValidateOptions = {},
): ValidWorkflow {
  if (!spec) throw new InvalidSpecError("spec is required");
  if (specBytes > limits.maxSpecBytes) {
    throw new SpecTooLargeError(
      `spec is ${specBytes} bytes; the limit is ${limits.maxSpecBytes} (TOOLMESH_MAX_SPEC_BYTES)`,
      specBytes,
      limits.maxSpecBytes,
    );
  }
  checkText(spec.name, "name");
  if (spec.priority > 9) throw new InvalidSpecError(`priority must be within 0..9, got ${spec.priority}`);
  if (spec.defaultTimeoutMs > limits.maxTimeoutMs) {
    throw new InvalidSpecError(
      `defaultTimeoutMs ${spec.defaultTimeoutMs} exceeds the limit ${limits.maxTimeoutMs} (TOOLMESH_MAX_TIMEOUT_MS)`,
    );
  }
  if (spec.parent?.workflowId || spec.parent?.taskId) {
    checkId(spec.parent.workflowId, "parent.workflowId");
    checkId(spec.parent.taskId, "parent.taskId");
  }
  if (spec.tasks.length === 0) throw new InvalidSpecError("spec.tasks is empty: a workflow needs at least one task");
  if (spec.tasks.length > limits.maxTasks) {
    throw new InvalidSpecError(`spec has ${spec.tasks.length} tasks; the limit is ${limits.maxTasks} (TOOLMESH_MAX_TASKS)`);
  }
  const workflowTimeout = spec.defaultTimeoutMs || limits.defaultTimeoutMs;
  const ids = new Set<string>();
  const tasks: ValidTask[] = spec.tasks.map((task, index) => {
    const where = `tasks[${index}]${task.id ? ` (id ${shown(task.id)})` : ""}`;
    checkId(task.id, `${where}: id`);
    if (ids.has(task.id)) throw new InvalidSpecError(`${where}: duplicate task id "${task.id}"`);
    ids.add(task.id);
    const tool = getTool(task.tool) ?? (options.unknownTools === "defer" ? deferredTool(task.tool) : undefined);
    if (!tool) throw new InvalidSpecError(`${where}: unknown tool ${shown(task.tool)}`);
    if (task.dependsOn.length > limits.maxTasks)
      throw new InvalidSpecError(`${where}: dependsOn has ${task.dependsOn.length} entries; the limit is ${limits.maxTasks}`);
    task.dependsOn.forEach((dep, i) => checkId(dep, `${where}: dependsOn[${i}]`));
    checkText(task.stage ?? "", `${where}: stage`);
    checkJsonValue(task.args ?? {}, `${where}: args`);
    const argBytes = limits.maxTaskBytes === undefined ? 0 : Buffer.byteLength(JSON.stringify(task.args ?? {}));
    if (limits.maxTaskBytes !== undefined && argBytes > limits.maxTaskBytes) {
      throw new SpecTooLargeError(
        `${where}: the task's arguments take ${argBytes} bytes; a task's arguments can be at most ${limits.maxTaskBytes} bytes (they travel in one NATS message: the server's max_payload)`,
        argBytes,
        limits.maxTaskBytes,
      );
    }
    const { args, templated } = validateArgs(
      "deferred" in tool ? undefined : task.tool,
      task.args ?? {},
      where,
      task.forEach !== undefined,
    );
    // An agent's own budget says how long it may take: its task waits that long unless told otherwise.
    const agentWallMs = task.tool === "agent.run" ? Number((args.budget as { wallMs?: number } | undefined)?.wallMs ?? 0) : 0;
    const timeoutMs =
      task.timeoutMs || (agentWallMs > 0 ? Math.min(Math.max(workflowTimeout, agentWallMs + 5000), limits.maxTimeoutMs) : workflowTimeout);
    if (timeoutMs > limits.maxTimeoutMs) {
      throw new InvalidSpecError(`${where}: timeoutMs ${timeoutMs} exceeds the limit ${limits.maxTimeoutMs}`);
    }
    const dependsOn = [...new Set(task.dependsOn)];
    return {
      id: task.id,
      tool: task.tool,
      pool: tool.pool,
      args,
      templated,
      dependsOn,
      timeoutMs,
      retry: validateRetry(task.retry, where, limits.maxAttempts),
      ...(task.forEach ? { forEach: validateForEach(task.forEach, dependsOn, where, limits.maxItems) } : {}),
      fanIn: validateFanIn(task.fanIn, where, task.forEach ? limits.maxItems : dependsOn.length, limits.maxTimeoutMs),
      stage: (task.stage ?? "").slice(0, 64),
      shareable: tool.shareable,
    };
  });
  for (const task of tasks) {
    for (const dep of task.dependsOn) {
      if (dep === task.id) throw new InvalidSpecError(`task "${task.id}" depends on itself`);
      if (!ids.has(dep)) throw new InvalidSpecError(`task "${task.id}" depends on unknown task "${dep}"`);
    }
    for (const path of placeholdersIn(task.args)) {
      const [head, taskId] = path.split(".");
      if (head === "tasks" && !task.dependsOn.includes(taskId ?? "")) {
        throw new InvalidSpecError(`task "${task.id}": {{${path}}} reads task "${taskId}", which must be in its dependsOn`);
      }
    }
  }
  const cycle = findCycle(new Map(tasks.map((t) => [t.id, t.dependsOn])));
  if (cycle) throw new InvalidSpecError(`dependsOn has a cycle: ${cycle.join(" → ")}; remove one of these edges`);
  const maxCalls = spec.limits?.maxCalls || limits.maxCalls;
  if (maxCalls > limits.maxCalls)
    throw new InvalidSpecError(`limits.maxCalls ${maxCalls} exceeds the coordinator's limit ${limits.maxCalls} (TOOLMESH_MAX_CALLS)`);
  const directCalls = tasks.filter((t) => !t.forEach).length;
  if (directCalls > maxCalls) throw new InvalidSpecError(`the workflow has ${directCalls} calls; limits.maxCalls is ${maxCalls}`);
  const maxConcurrency = spec.limits?.maxConcurrency ?? 0;
  if (maxConcurrency > limits.maxCalls)
    throw new InvalidSpecError(
      `limits.maxConcurrency ${maxConcurrency} exceeds the coordinator's limit ${limits.maxCalls} (TOOLMESH_MAX_CALLS)`,
    );
  return {
    name: spec.name || "workflow",
    tasks,
    priority: spec.priority,
    maxConcurrency,
    maxCalls,
    ...(spec.parent?.workflowId
      ? { parent: { workflowId: spec.parent.workflowId, taskId: spec.parent.taskId, capability: spec.parent.capability } }
      : {}),
  };
}

/** A tool this process cannot know but an MCP pool may serve: `<name>.<tool>` runs in pool mcp-<name>. */
function deferredTool(name: string): { pool: ToolPool; shareable: boolean; deferred: true } | undefined {
  const dot = name.indexOf(".");
  if (dot < 1 || dot === name.length - 1 || mcpNameProblem(name.slice(0, dot)) !== undefined) return undefined;
  return { pool: mcpPoolName(name.slice(0, dot)), shareable: false, deferred: true };
}

/**
 * Arguments are parsed with the tool's schema now; arguments holding
 * placeholders that do not parse yet are checked again once filled.
 * A deferred tool's (no `tool`) are taken as given.
 */
function validateArgs(
  tool: string | undefined,
  raw: Record<string, unknown>,
  where: string,
  inForEach: boolean,
): { args: Record<string, unknown>; templated: boolean } {
  const placeholders = placeholdersIn(raw);
  for (const path of placeholders) {
    const head = path.split(".")[0];
    if ((head === "item" || head === "index") && !inForEach)
      throw new InvalidSpecError(`${where}: {{${path}}} is only defined in a task with forEach`);
  }
  if (tool === undefined) return { args: raw, templated: placeholders.length > 0 };
  try {
    return { args: parseToolArgs(tool, raw), templated: placeholders.length > 0 };
  } catch (err) {
    if (placeholders.length > 0) return { args: raw, templated: true };
    throw new InvalidSpecError(`${where}: ${err instanceof ToolError ? err.message : String(err)}`);
  }
}

function validateForEach(forEach: ForEach, dependsOn: string[], where: string, defaultMaxItems: number): NonNullable<ValidTask["forEach"]> {
  if (!forEach.from) throw new InvalidSpecError(`${where}: forEach.from must name the upstream task whose output holds the items`);
  if (!dependsOn.includes(forEach.from))
    throw new InvalidSpecError(`${where}: forEach.from ${shown(forEach.from)} must also be in dependsOn`);
  if (forEach.items.length > 256) throw new InvalidSpecError(`${where}: forEach.items may be at most 256 characters`);
  if (forEach.maxItems > defaultMaxItems) {
    throw new InvalidSpecError(`${where}: forEach.maxItems ${forEach.maxItems} exceeds the limit ${defaultMaxItems} (TOOLMESH_MAX_ITEMS)`);
  }
  if (!/^[A-Za-z0-9_.]*(\[\](\.[A-Za-z0-9_]+)*)?$/.test(forEach.items)) {
    throw new InvalidSpecError(`${where}: forEach.items "${forEach.items}" must be a dot path such as "files" or "files[].path"`);
  }
  if (forEach.match) {
    if (forEach.match.length > 256) throw new InvalidSpecError(`${where}: forEach.match may be at most 256 characters`);
    try {
      compileSafeRegex(forEach.match, { field: "forEach.match" });
    } catch (err) {
      throw new InvalidSpecError(`${where}: ${err instanceof Error ? err.message : String(err)}`);
    }
  }
  return {
    from: forEach.from,
    items: forEach.items,
    maxItems: forEach.maxItems || defaultMaxItems,
    ...(forEach.match ? { match: forEach.match } : {}),
  };
}

/** `members`: the most a quorum can count (a fan-out's item cap, or the number of dependencies). */
function validateFanIn(fanIn: FanIn | undefined, where: string, members: number, maxTimeoutMs: number): FanInPolicy {
  if (!fanIn) return JOIN_ALL;
  const mode = fanInModeName(fanIn.mode);
  if (mode === undefined) throw new InvalidSpecError(`${where}: fanIn.mode ${fanIn.mode} is not a known mode`);
  if (mode === "quorum" && fanIn.quorum < 1) throw new InvalidSpecError(`${where}: fanIn mode QUORUM needs quorum >= 1`);
  if (fanIn.quorum > Math.max(members, 1))
    throw new InvalidSpecError(`${where}: fanIn.quorum ${fanIn.quorum} exceeds the ${members} members it can count`);
  if (mode === "deadline" && fanIn.deadlineMs < 1) throw new InvalidSpecError(`${where}: fanIn mode DEADLINE needs deadlineMs >= 1`);
  if (fanIn.deadlineMs > maxTimeoutMs)
    throw new InvalidSpecError(`${where}: fanIn.deadlineMs ${fanIn.deadlineMs} exceeds the limit ${maxTimeoutMs}`);
  return { mode, quorum: fanIn.quorum, deadlineMs: fanIn.deadlineMs };
}

function validateRetry(retry: RetryPolicy | undefined, where: string, maxAttempts: number): Retry {
  const attempts = Math.max(1, retry?.maxAttempts ?? 1);
  if (attempts > maxAttempts) {
    throw new InvalidSpecError(`${where}: retry.maxAttempts ${attempts} exceeds the limit ${maxAttempts}`);
  }
  const given = retry?.backoffMultiplier ?? 0;
  if (!Number.isFinite(given))
    throw new InvalidSpecError(`${where}: retry.backoffMultiplier must be a finite number within 1..10, got ${given}`);
  const multiplier = given || 2;
  if (multiplier < 1 || multiplier > 10)
    throw new InvalidSpecError(`${where}: retry.backoffMultiplier must be within 1..10, got ${multiplier}`);
  for (const field of ["initialBackoffMs", "maxBackoffMs"] as const) {
    const value = retry?.[field] ?? 0;
    if (value > MAX_BACKOFF_MS) throw new InvalidSpecError(`${where}: retry.${field} ${value} exceeds the limit ${MAX_BACKOFF_MS}`);
  }
  return {
    maxAttempts: attempts,
    initialBackoffMs: retry?.initialBackoffMs || 200,
    multiplier,
    maxBackoffMs: retry?.maxBackoffMs || 10_000,
  };
}
