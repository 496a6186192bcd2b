import { compileSafeRegex } from "@toolmesh/core";
import { canonicalJson } from "./canonical-json.js";
import { PlaceholderError } from "./errors.js";

export interface ItemSelection {
  /** The items that run, in upstream order. */
  taken: unknown[];
  /** Distinct matching items over maxItems. */
  dropped: number;
  /** Items forEach.match filtered out. */
  skipped: number;
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
    if (current === null || typeof current !== "object")
      throw new PlaceholderError(`forEach.items "${path}": no field "${field}" in the upstream output`);
    current = (current as Record<string, unknown>)[field];
  }
  if (!Array.isArray(current)) throw new PlaceholderError(`forEach.items "${path}" is not an array in the upstream output`);
  const fields = (elementPath ?? "").split(".").filter(Boolean);
  if (fields.length === 0) return current;
  return current
    .map((element) =>
      fields.reduce<unknown>((v, f) => (v !== null && typeof v === "object" ? (v as Record<string, unknown>)[f] : undefined), element),
    )
    .filter((v) => v !== undefined);
}

/**
 * Which upstream items a fan-out runs: those matching `match` (RE2 syntax,
 * matched in linear time — a client's pattern must not hold the event loop;
 * item texts are capped at 2 KiB), once per distinct value, at most `maxItems`.
 */
export function selectItems(items: readonly unknown[], options: { match?: string | undefined; maxItems: number }): ItemSelection {
  const pattern = options.match ? compileSafeRegex(options.match, { field: "forEach.match" }) : undefined;
  const matching = pattern
    ? items.filter((item) => pattern.test((typeof item === "string" ? item : JSON.stringify(item)).slice(0, 2048)))
    : [...items];
  const seen = new Set<string>();
  const unique = matching.filter((item) => {
    const key = canonicalJson(item);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
  const taken = unique.slice(0, options.maxItems);
  return { taken, dropped: unique.length - taken.length, skipped: items.length - matching.length };
}
