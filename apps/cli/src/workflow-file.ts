import { WorkflowSpec, type FanIn, type ForEach, type TaskSpec } from "@toolmesh/proto";
import { FAN_IN_MODE_NAMES, InvalidSpecError, checkWorkflow, fanInModeNamed, fanInModeOf } from "@toolmesh/spec";
import { readFile } from "node:fs/promises";
import { parse as parseYaml } from "yaml";

/** A workflow file that cannot be read as a spec; says where and what to fix. */
export class WorkflowFileError extends Error {
  override readonly name = "WorkflowFileError";
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** The fields each mapping of a workflow file may have (a typo would otherwise be dropped without a word). */
const FIELDS = {
  workflow: ["name", "tasks", "defaultTimeoutMs", "priority", "limits"],
  task: ["id", "tool", "args", "dependsOn", "timeoutMs", "retry", "forEach", "fanIn", "stage"],
  retry: ["maxAttempts", "initialBackoffMs", "backoffMultiplier", "maxBackoffMs"],
  forEach: ["from", "items", "maxItems", "match"],
  fanIn: ["mode", "quorum", "deadlineMs"],
  limits: ["maxConcurrency", "maxCalls"],
} as const;

/** Levenshtein distance: enough to suggest the field a typo meant. */
export function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    previous = current;
  }
  return previous[b.length]!;
}

/** Refuses a field the mapping does not have, naming the nearest valid one (or all of them). */
function checkFields(raw: Record<string, unknown>, known: readonly string[], where: string, source: string): void {
  for (const key of Object.keys(raw)) {
    if (known.includes(key)) continue;
    const at = where ? `${where}.${key}` : key;
    const [nearest] = known
      .map((name) => ({ name, distance: editDistance(key.toLowerCase(), name.toLowerCase()) }))
      .sort((a, b) => a.distance - b.distance);
    const hint =
      nearest && nearest.distance <= Math.max(2, Math.floor(key.length / 3))
        ? `did you mean ${nearest.name}?`
        : `the fields here are ${known.join(", ")}`;
    throw new WorkflowFileError(`${source}: ${at}: unknown field; ${hint}`);
  }
}

/** A number field: absent is `fallback`; anything but a finite number (within `max`) is refused, naming the field. */
function numberOf(value: unknown, where: string, fallback: number, options: { integer?: boolean; max?: number } = {}): number {
  if (value === undefined || value === null) return fallback;
  const integer = options.integer ?? true;
  const max = options.max ?? 0xffff_ffff;
  if (typeof value !== "number" || !Number.isFinite(value) || value < 0 || value > max || (integer && !Number.isInteger(value))) {
    throw new WorkflowFileError(
      `${where} must be ${integer ? "a whole number" : "a number"} within 0..${max}, got ${JSON.stringify(value)}`,
    );
  }
  return value;
}

/** A text field: absent is `fallback`; a number or boolean as written; a mapping or list is refused, naming the field. */
function textOf(value: unknown, where: string, fallback = ""): string {
  if (value === undefined || value === null) return fallback;
  if (typeof value === "string") return value;
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  throw new WorkflowFileError(`${where} must be text, got ${JSON.stringify(value)}`);
}

/**
 * Reads a workflow from YAML or JSON (JSON is YAML) into a WorkflowSpec.
 * Only the shape is checked here (fields each mapping may have, with the
 * nearest valid name for a typo; numbers); checkWorkflowFile checks the
 * rest as the coordinator will.
 */
export function parseWorkflow(text: string, source = "workflow"): WorkflowSpec {
  let doc: unknown;
  try {
    doc = parseYaml(text);
  } catch (err) {
    throw new WorkflowFileError(`${source}: not valid YAML/JSON: ${err instanceof Error ? err.message : String(err)}`);
  }
  if (!isRecord(doc)) throw new WorkflowFileError(`${source}: expected a mapping with "name" and "tasks"`);
  checkFields(doc, FIELDS.workflow, "", source);
  if (!Array.isArray(doc.tasks)) throw new WorkflowFileError(`${source}: "tasks" must be a list`);
  const tasks: TaskSpec[] = doc.tasks.map((raw: unknown, index: number) => {
    const at = `${source}: tasks[${index}]`;
    if (!isRecord(raw)) throw new WorkflowFileError(`${at} must be a mapping`);
    checkFields(raw, FIELDS.task, `tasks[${index}]`, source);
    const dependsOn = raw.dependsOn ?? [];
    if (!Array.isArray(dependsOn) || !dependsOn.every((d) => typeof d === "string")) {
      throw new WorkflowFileError(`${source}: tasks[${index}].dependsOn must be a list of task ids`);
    }
    if (raw.args !== undefined && !isRecord(raw.args)) throw new WorkflowFileError(`${source}: tasks[${index}].args must be a mapping`);
    const retry = raw.retry;
    if (retry !== undefined && !isRecord(retry)) throw new WorkflowFileError(`${source}: tasks[${index}].retry must be a mapping`);
    if (retry) checkFields(retry, FIELDS.retry, `tasks[${index}].retry`, source);
    return {
      forEach: forEachOf(raw.forEach, `tasks[${index}].forEach`, source),
      fanIn: fanInOf(raw.fanIn, `tasks[${index}].fanIn`, source),
      stage: textOf(raw.stage, `${at}.stage`),
      id: textOf(raw.id, `${at}.id`),
      tool: textOf(raw.tool, `${at}.tool`),
      args: raw.args ?? {},
      dependsOn,
      timeoutMs: numberOf(raw.timeoutMs, `${at}.timeoutMs`, 0),
      retry: retry
        ? {
            maxAttempts: numberOf(retry.maxAttempts, `${at}.retry.maxAttempts`, 1),
            initialBackoffMs: numberOf(retry.initialBackoffMs, `${at}.retry.initialBackoffMs`, 0),
            backoffMultiplier: numberOf(retry.backoffMultiplier, `${at}.retry.backoffMultiplier`, 0, { integer: false, max: 10 }),
            maxBackoffMs: numberOf(retry.maxBackoffMs, `${at}.retry.maxBackoffMs`, 0),
          }
        : undefined,
    };
  });
  const limits = doc.limits;
  if (limits !== undefined && !isRecord(limits)) throw new WorkflowFileError(`${source}: "limits" must be a mapping`);
  if (limits) checkFields(limits, FIELDS.limits, "limits", source);
  return WorkflowSpec.fromPartial({
    name: textOf(doc.name, `${source}: name`, source),
    tasks,
    defaultTimeoutMs: numberOf(doc.defaultTimeoutMs, `${source}: defaultTimeoutMs`, 0),
    priority: numberOf(doc.priority, `${source}: priority`, 0, { max: 9 }),
    ...(limits
      ? {
          limits: {
            maxConcurrency: numberOf(limits.maxConcurrency, `${source}: limits.maxConcurrency`, 0),
            maxCalls: numberOf(limits.maxCalls, `${source}: limits.maxCalls`, 0),
          },
        }
      : {}),
  });
}

function forEachOf(raw: unknown, where: string, source: string): ForEach | undefined {
  if (raw === undefined) return undefined;
  if (!isRecord(raw)) throw new WorkflowFileError(`${source}: ${where} must be a mapping with "from" and "items"`);
  checkFields(raw, FIELDS.forEach, where, source);
  const at = `${source}: ${where}`;
  return {
    from: textOf(raw.from, `${at}.from`),
    items: textOf(raw.items, `${at}.items`),
    maxItems: numberOf(raw.maxItems, `${at}.maxItems`, 0),
    match: textOf(raw.match, `${at}.match`),
  };
}

function fanInOf(raw: unknown, where: string, source: string): FanIn | undefined {
  if (raw === undefined) return undefined;
  if (!isRecord(raw)) throw new WorkflowFileError(`${source}: ${where} must be a mapping with "mode"`);
  checkFields(raw, FIELDS.fanIn, where, source);
  const mode = fanInModeNamed(textOf(raw.mode, `${source}: ${where}.mode`, "all"));
  if (mode === undefined) throw new WorkflowFileError(`${source}: ${where}.mode must be one of ${FAN_IN_MODE_NAMES.join(", ")}`);
  return {
    mode: fanInModeOf(mode),
    quorum: numberOf(raw.quorum, `${source}: ${where}.quorum`, 0),
    deadlineMs: numberOf(raw.deadlineMs, `${source}: ${where}.deadlineMs`, 0),
  };
}

/**
 * Checks tools, arguments and the graph before anything is sent, with the
 * coordinator's own validation and messages: a cycle or an unknown
 * dependency is a usage error, not a round trip (or a stack) away.
 */
export function checkWorkflowFile(spec: WorkflowSpec, source: string): WorkflowSpec {
  try {
    checkWorkflow(spec);
  } catch (err) {
    if (err instanceof InvalidSpecError) throw new WorkflowFileError(`${source}: ${err.message}`);
    throw err;
  }
  return spec;
}

/** A workflow file read and checked: parseWorkflow, then checkWorkflowFile. */
export async function readWorkflowFile(path: string): Promise<WorkflowSpec> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (err) {
    throw new WorkflowFileError(`cannot read ${path}: ${err instanceof Error ? err.message : String(err)}`);
  }
  return checkWorkflowFile(parseWorkflow(text, path), path);
}
