import { SUBJECT_TOKEN } from "@toolmesh/core";
import { InvalidSpecError } from "./errors.js";

/**
 * What an id may look like at every RPC. Ids become NATS subject tokens and
 * JetStream KV keys, where `.`, `*`, `>` and spaces mean something, so they
 * are checked before any lookup: a bad id is INVALID_ARGUMENT naming the
 * field, never a KV error or a lookup that times out.
 */

/** Workflow ids (the coordinator makes p<partition>-<32 hex>, or i<instance>-<32 hex> for a single call), task ids, ParentRef ids: 1-64 of [A-Za-z0-9_-]. */
export const ID_PATTERN = SUBJECT_TOKEN;
/** A task id, or a fan-out item's "<id>[<index>]" (GetTaskOutput). */
const TASK_OR_ITEM_ID = /^[A-Za-z0-9_-]{1,64}(\[\d{1,9}\])?$/;
/** Template names: 1-64 of [A-Za-z0-9_.-]. */
const TEMPLATE_NAME = /^[A-Za-z0-9_.-]{1,64}$/;
/** Workflow names, reasons and other free text: at most this many characters. */
export const MAX_NAME_CHARS = 256;

/** A value for an error message: quoted, and cut short when long. */
export function shown(value: string): string {
  return JSON.stringify(value.length > 64 ? `${value.slice(0, 64)}…` : value);
}

function check(pattern: RegExp, value: string, field: string, what: string): void {
  if (!pattern.test(value)) {
    const got = value ? `got ${shown(value)}${value.length > 64 ? ` (${value.length} characters)` : ""}` : "got an empty string";
    throw new InvalidSpecError(`${field} must be ${what}; ${got}`);
  }
}

export function checkId(value: string, field: string): void {
  check(ID_PATTERN, value, field, "1-64 letters, digits, '_' or '-'");
}

export function checkTaskOrItemId(value: string, field: string): void {
  check(TASK_OR_ITEM_ID, value, field, "a task id (1-64 letters, digits, '_' or '-') or a fan-out item's <id>[<index>]");
}

export function checkTemplateName(value: string, field: string): void {
  check(TEMPLATE_NAME, value, field, "1-64 letters, digits, '_', '.' or '-'");
}

/** A lone UTF-16 surrogate: what invalid UTF-8 leaves in a decoded string. */
const LONE_SURROGATE = /[\uD800-\uDFFF]/u;

/** Free text: bounded and valid UTF-8. */
export function checkText(value: string, field: string, maxChars = MAX_NAME_CHARS): void {
  if (value.length > maxChars) throw new InvalidSpecError(`${field} has ${value.length} characters; the limit is ${maxChars}`);
  if (LONE_SURROGATE.test(value)) throw new InvalidSpecError(`${field} is not valid UTF-8 (a lone surrogate)`);
}

/**
 * Every string (keys too) in a JSON value is valid UTF-8 and every number is
 * finite (a Struct's number_value is a double: NaN and Infinity decode).
 * Throws naming the path, e.g. `args.files[2]`.
 */
export function checkJsonValue(value: unknown, path: string): void {
  if (typeof value === "string") {
    if (LONE_SURROGATE.test(value)) throw new InvalidSpecError(`${path} is not valid UTF-8 (a lone surrogate)`);
  } else if (typeof value === "number") {
    if (!Number.isFinite(value)) throw new InvalidSpecError(`${path} must be a finite number, got ${value}`);
  } else if (Array.isArray(value)) {
    value.forEach((item, index) => checkJsonValue(item, `${path}[${index}]`));
  } else if (typeof value === "object" && value !== null) {
    for (const [key, item] of Object.entries(value)) {
      const keyPath = /^[A-Za-z_$][A-Za-z0-9_$]*$/.test(key) ? `${path}.${key}` : `${path}[${JSON.stringify(key)}]`;
      if (LONE_SURROGATE.test(key)) throw new InvalidSpecError(`${keyPath}: the key is not valid UTF-8 (a lone surrogate)`);
      checkJsonValue(item, keyPath);
    }
  }
}
