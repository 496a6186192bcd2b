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

export class PlaceholderError extends Error {
  override readonly name = "PlaceholderError";
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

/**
 * The items a fan-out maps over: `path` is a dot path to an array in
 * `output` ("files"), optionally mapping each element to a field
 * ("files[].path"); "" means the output is the array itself.
 */
export function itemsAt(output: unknown, path: string): unknown[] {
  const [arrayPath, elementPath] = path.split("[]", 2) as [string, string | undefined];
  let current: unknown = output;
  for (const field of arrayPath.split(".").filter(Boolean)) {
    if (current === null || typeof current !== "object") throw new PlaceholderError(`forEach.items "${path}": no field "${field}" in the upstream output`);
    current = (current as Record<string, unknown>)[field];
  }
  if (!Array.isArray(current)) throw new PlaceholderError(`forEach.items "${path}" is not an array in the upstream output`);
  const fields = (elementPath ?? "").split(".").filter(Boolean);
  if (fields.length === 0) return current;
  return current
    .map((element) => fields.reduce<unknown>((v, f) => (v !== null && typeof v === "object" ? (v as Record<string, unknown>)[f] : undefined), element))
    .filter((v) => v !== undefined);
}

/** A canonical JSON text: object keys sorted, so equal values give equal keys. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  if (value && typeof value === "object") {
    return `{${Object.keys(value)
      .sort()
      .filter((k) => (value as Record<string, unknown>)[k] !== undefined)
      .map((k) => `${JSON.stringify(k)}:${canonicalJson((value as Record<string, unknown>)[k])}`)
      .join(",")}}`;
  }
  return JSON.stringify(value) ?? "null";
}
