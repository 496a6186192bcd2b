/** Placeholders in arguments ("{{item}}", "{{tasks.<id>.field}}"), which the coordinator fills at dispatch. */
const PLACEHOLDER = /\{\{\s*([A-Za-z0-9_\-.[\]]+)\s*\}\}/g;

/** Task ids a task's args read through "{{tasks.<id>...}}". */
export function referencedTasks(value: unknown, found: Set<string> = new Set()): Set<string> {
  if (typeof value === "string") {
    for (const m of value.matchAll(PLACEHOLDER)) {
      const [head, id] = m[1]!.split(".");
      if (head === "tasks" && id) found.add(id);
    }
  } else if (Array.isArray(value)) {
    for (const v of value) referencedTasks(v, found);
  } else if (value && typeof value === "object") {
    for (const v of Object.values(value)) referencedTasks(v, found);
  }
  return found;
}

export function hasPlaceholder(value: unknown): boolean {
  if (typeof value === "string") return /\{\{.*?\}\}/.test(value);
  if (Array.isArray(value)) return value.some(hasPlaceholder);
  if (value && typeof value === "object") return Object.values(value).some(hasPlaceholder);
  return false;
}
