import type { ValidTask, ValidWorkflow } from "@toolmesh/spec";

/**
 * A workflow's spec as its stored header holds it. A validated task carries
 * every setting spelled out (pool, timeout, retry, fan-in, …), ~280 bytes
 * of JSON a task even when the spec gave only an id, a tool and arguments:
 * 281 KB for a 1,000-task spec that came in 41 KB, written before
 * SubmitWorkflow answers (and again with each header change). Here the
 * settings the first task has are stored once, and each task keeps only
 * the ones it has otherwise: 35 KB for that spec.
 */
export interface PackedSpec extends Omit<ValidWorkflow, "tasks"> {
  /** The first task's settings: a packed task leaves out each that is the same. */
  taskDefaults?: Partial<ValidTask>;
  tasks: Array<Partial<ValidTask>>;
}

/** The settings packed: each task's id, arguments and forEach stay with it. */
const SHARED_FIELDS = ["tool", "pool", "templated", "dependsOn", "timeoutMs", "retry", "fanIn", "stage", "shareable"] as const;

type SharedField = (typeof SHARED_FIELDS)[number];

/** Equal as JSON: the settings are plain values (numbers, strings, booleans, arrays and objects of those). */
function sameJson(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== "object" || typeof b !== "object" || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const aKeys = Object.keys(a);
  if (aKeys.length !== Object.keys(b).length) return false;
  return aKeys.every((key) => sameJson((a as Record<string, unknown>)[key], (b as Record<string, unknown>)[key]));
}

export function packSpec(spec: ValidWorkflow): PackedSpec {
  const first = spec.tasks[0];
  if (!first) return spec;
  const taskDefaults: Partial<ValidTask> = {};
  for (const field of SHARED_FIELDS) (taskDefaults as Record<SharedField, unknown>)[field] = first[field];
  const tasks = spec.tasks.map((task) => {
    const packed: Partial<ValidTask> = { ...task };
    for (const field of SHARED_FIELDS) if (sameJson(task[field], taskDefaults[field])) delete packed[field];
    return packed;
  });
  return { ...spec, taskDefaults, tasks };
}

/** A copy of a setting, so that no two tasks share an array or object. */
function copied<T>(value: T): T {
  return typeof value === "object" && value !== null ? structuredClone(value) : value;
}

/** The spec as validated, from a packed one or from one stored whole (before packing, or with no tasks). */
export function unpackSpec(stored: PackedSpec | ValidWorkflow): ValidWorkflow {
  if (!("taskDefaults" in stored) || stored.taskDefaults === undefined) return stored as ValidWorkflow;
  const { taskDefaults, ...spec } = stored;
  const tasks = stored.tasks.map((packed) => {
    const task = { ...packed };
    for (const field of SHARED_FIELDS)
      if (!(field in packed) && field in taskDefaults) (task as Record<SharedField, unknown>)[field] = copied(taskDefaults[field]);
    return task as ValidTask;
  });
  return { ...spec, tasks };
}
