/**
 * The one shape every tool output is normalised to, and how two records that
 * are the same thing (same key, or near-identical text) become one.
 */

/** What a record is; `key` means something different for each. */
export type RecordKind =
  | "match" // code.grep: one matching line; key "path:line"
  | "file" // code.glob / code.read / code.analyze: one file; key path
  | "symbol" // code.analyze: a top-level declaration; key "path:line#name"
  | "search-result" // web.search: one hit; key canonical URL
  | "page" // web.fetch: a fetched page; key canonical URL
  | "command" // bash.exec: one command's output; key "command:<source>"
  | "agent" // agent.run: an agent's answer; key "agent:<source>"
  | "text"; // anything else with strings in it; key "text:<source>:<hash>"

export const RECORD_KINDS: readonly RecordKind[] = ["match", "file", "symbol", "search-result", "page", "command", "agent", "text"];

export interface SynthRecord {
  kind: RecordKind;
  /** Identity: canonical URL, "path:line", path, ... Records with equal keys are one record. */
  key: string;
  title?: string;
  text: string;
  path?: string;
  line?: number;
  url?: string;
  /** The producing tool's own score (web.search's fused score), as given. */
  score?: number;
  language?: string;
  /** Files: line count and size (code.analyze, code.read, code.glob). */
  lines?: number;
  bytes?: number;
  /** Files: number of top-level symbols (code.analyze). */
  symbols?: number;
  /** Files: import specifiers, when an output lists them. */
  imports?: string[];
  /** Commands: exit status (null when killed by a signal). */
  exitCode?: number | null;
  /** Every input source (task id) that produced this record. */
  sources: string[];
  /** Every tool whose output produced it. */
  tools: string[];
  /** Set by synth.rank. */
  rankScore?: number;
}

/** Code, web, command, agent or other: two families agreeing on a key is a cross-link. */
export type RecordFamily = "code" | "web" | "command" | "agent" | "text";

export function familyOf(kind: RecordKind): RecordFamily {
  switch (kind) {
    case "match":
    case "file":
    case "symbol":
      return "code";
    case "search-result":
    case "page":
      return "web";
    case "command":
      return "command";
    case "agent":
      return "agent";
    default:
      return "text";
  }
}

/** When one key was produced as two kinds (a page and its search result), the richer kind wins. */
const KIND_PRIORITY: Record<RecordKind, number> = {
  page: 7,
  file: 6,
  match: 5,
  symbol: 4,
  "search-result": 3,
  command: 2,
  agent: 1,
  text: 0,
};

/** Whether `a` should be kept over `b`: richer kind, then higher score, then longer text, then key. */
export function isBetter(a: SynthRecord, b: SynthRecord): boolean {
  if (a.kind !== b.kind) return KIND_PRIORITY[a.kind] > KIND_PRIORITY[b.kind];
  const sa = a.score ?? Number.NEGATIVE_INFINITY;
  const sb = b.score ?? Number.NEGATIVE_INFINITY;
  if (sa !== sb) return sa > sb;
  if (a.text.length !== b.text.length) return a.text.length > b.text.length;
  return a.key <= b.key;
}

const byName = new Intl.Collator("en", { numeric: true }).compare;

/** Sorted (numbers in order: "x[2]" before "x[10]"), so a merge's result never depends on which record came first. */
function union(a: readonly string[], b: readonly string[]): string[] {
  return [...new Set([...a, ...b])].sort(byName);
}

/**
 * One record from two: `keep`'s fields win, missing ones come from `other`,
 * the longer text and the higher score are kept, sources and tools unioned.
 */
export function mergeInto(keep: SynthRecord, other: SynthRecord): SynthRecord {
  const merged: SynthRecord = {
    ...other,
    ...definedFields(keep),
    sources: union(keep.sources, other.sources),
    tools: union(keep.tools, other.tools),
  };
  if (other.text.length > keep.text.length && keep.kind === other.kind) merged.text = other.text;
  if (keep.score !== undefined || other.score !== undefined)
    merged.score = Math.max(keep.score ?? Number.NEGATIVE_INFINITY, other.score ?? Number.NEGATIVE_INFINITY);
  if (keep.imports && other.imports) merged.imports = union(keep.imports, other.imports);
  return merged;
}

function definedFields(record: SynthRecord): Partial<SynthRecord> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(record)) if (v !== undefined) out[k] = v;
  return out;
}

/** Merges records with equal identities (first appearance keeps its place). */
export function mergeByIdentity(
  records: readonly SynthRecord[],
  identity: (r: SynthRecord) => string | undefined,
): { records: SynthRecord[]; removed: number } {
  const index = new Map<string, number>();
  const out: SynthRecord[] = [];
  let removed = 0;
  for (const record of records) {
    const id = identity(record);
    const at = id === undefined ? undefined : index.get(id);
    if (at === undefined) {
      if (id !== undefined) index.set(id, out.length);
      out.push(record);
      continue;
    }
    const current = out[at] as SynthRecord;
    out[at] = isBetter(current, record) ? mergeInto(current, record) : mergeInto(record, current);
    removed++;
  }
  return { records: out, removed };
}
