import { compileSafeRegex } from "@toolmesh/core";
import { canonicalJson } from "./placeholders.js";

export interface ItemSelection {
  /** The items that run, in upstream order. */
  taken: unknown[];
  /** Distinct matching items over maxItems. */
  dropped: number;
  /** Items forEach.match filtered out. */
  skipped: number;
}

/**
 * Which upstream items a fan-out runs: those matching `match` (RE2 syntax,
 * matched in linear time — a client's pattern must not hold the event loop;
 * item texts are capped at 2 KiB), once per distinct value, at most `maxItems`.
 */
export function selectItems(items: readonly unknown[], options: { match?: string | undefined; maxItems: number }): ItemSelection {
  const pattern = options.match ? compileSafeRegex(options.match, { field: "forEach.match" }) : undefined;
  const matching = pattern ? items.filter((item) => pattern.test((typeof item === "string" ? item : JSON.stringify(item)).slice(0, 2048))) : [...items];
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
