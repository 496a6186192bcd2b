import { PlaceholderError } from "./errors.js";

/**
 * Placeholders in task arguments, filled when the task is dispatched:
 * "{{item}}", "{{item.a.b}}", "{{index}}" in a fan-out task's arguments, and
 * "{{tasks.<id>.a.b}}" for an output field of a dependency. A string that is
 * exactly one placeholder takes the value with its JSON type; placeholders
 * inside longer strings are replaced by the value's text.
 */
const PLACEHOLDER = /\{\{\s*([A-Za-z0-9_\-.[\]]+)\s*\}\}/g;
const WHOLE = /^\{\{\s*([A-Za-z0-9_\-.[\]]+)\s*\}\}$/;

export interface PlaceholderScope {
  item?: unknown;
  index?: number;
  /** Output of a dependency by task id. */
  output?: (taskId: string) => unknown;
}

/** Every placeholder path used anywhere in `value`. */
export function placeholdersIn(value: unknown, found: string[] = []): string[] {
  if (typeof value === "string") {
    for (const match of value.matchAll(PLACEHOLDER)) found.push(match[1]!);
  } else if (Array.isArray(value)) {
    for (const v of value) placeholdersIn(v, found);
  } else if (value && typeof value === "object") {
    for (const v of Object.values(value)) placeholdersIn(v, found);
  }
  return found;
}

/** `value` holds a placeholder the coordinator will fill (so its final form is only known at dispatch). */
export function hasPlaceholder(value: unknown): boolean {
  return placeholdersIn(value).length > 0;
}

/** Task ids `value` reads through "{{tasks.<id>...}}". */
export function referencedTasks(value: unknown): Set<string> {
  const found = new Set<string>();
  for (const path of placeholdersIn(value)) {
    const [head, id] = path.split(".");
    if (head === "tasks" && id) found.add(id);
  }
  return found;
}

export function fillPlaceholders(value: unknown, scope: PlaceholderScope): unknown {
  if (typeof value === "string") {
    const whole = WHOLE.exec(value);
    if (whole) return resolve(whole[1]!, scope);
    if (!value.includes("{{")) return value;
    return value.replace(PLACEHOLDER, (_, path: string) => {
      const resolved = resolve(path, scope);
      return typeof resolved === "string" ? resolved : JSON.stringify(resolved);
    });
  }
  if (Array.isArray(value)) return value.map((v) => fillPlaceholders(v, scope));
  if (value && typeof value === "object") {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, fillPlaceholders(v, scope)]));
  }
  return value;
}

function resolve(path: string, scope: PlaceholderScope): unknown {
  const [head, ...rest] = path.split(".");
  if (head === "index") {
    if (scope.index === undefined) throw new PlaceholderError(`{{index}} is only defined in a forEach task`);
    return scope.index;
  }
  if (head === "item") {
    if (!("item" in scope)) throw new PlaceholderError(`{{item}} is only defined in a forEach task`);
    return at(scope.item, rest, path);
  }
  if (head === "tasks" && rest.length > 0 && scope.output) {
    const [taskId, ...field] = rest;
    return at(scope.output(taskId!), field, path);
  }
  throw new PlaceholderError(`unknown placeholder {{${path}}}: use {{item}}, {{item.field}}, {{index}} or {{tasks.<id>.field}}`);
}

function at(value: unknown, fields: string[], path: string): unknown {
  let current = value;
  for (const field of fields) {
    if (current === null || typeof current !== "object") throw new PlaceholderError(`{{${path}}}: no field "${field}"`);
    current = (current as Record<string, unknown>)[field];
  }
  if (current === undefined) throw new PlaceholderError(`{{${path}}} is undefined`);
  return current;
}
