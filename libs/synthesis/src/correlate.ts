/**
 * synth.correlate: groups records by what they are about — a path, a URL, a
 * host or a term — counting both records that carry the key in a field (a
 * grep match's path, a page's URL) and records that mention it in their
 * title or text (a page naming "libs/core/src/errors.ts"). A key that
 * records of two or more families (code, web, command, agent, text) point at
 * is cross-linked: the page and the code talk about the same file.
 *
 * Paths mentioned in text count when they equal a known path (a record's
 * path) or end one uniquely with at least two segments ("src/errors.ts").
 * URLs and hosts count from any http(s) URL in the text. Terms are
 * args.terms, else the query's words, else the 20 words most records share;
 * a one-word term matches a word (or identifier part), a longer one a substring.
 */
import { isStopWord, tokenize } from "@toolmesh/text";
import { collect } from "./collect.js";
import type { SynthInput } from "./normalise.js";
import { familyOf, mergeByIdentity, type RecordFamily, type RecordKind, type SynthRecord } from "./record.js";
import { canonicalUrl, clip, hostOf, pathsIn, urlsIn } from "./text.js";

export type GroupBy = "path" | "url" | "host" | "term";

export interface CorrelateArgs {
  groupBy: GroupBy;
  terms?: string[] | undefined;
  query?: string | undefined;
  limit: number;
}

export interface CorrelationGroup {
  key: string;
  /** Records in the group. */
  count: number;
  /** Of them, records that only mention the key in their text. */
  mentions: number;
  kinds: RecordKind[];
  families: RecordFamily[];
  sources: string[];
  /** The first RECORDS_PER_GROUP records, texts clipped to GROUP_TEXT characters. */
  records: SynthRecord[];
}

export interface CrossLink {
  key: string;
  families: RecordFamily[];
  kinds: RecordKind[];
  sources: string[];
  count: number;
}

export interface CorrelateResult {
  groupBy: GroupBy;
  groups: CorrelationGroup[];
  crossLinked: CrossLink[];
  terms?: string[];
  skipped: number;
  skippedItems: number;
}

export const RECORDS_PER_GROUP = 10;
export const GROUP_TEXT = 1000;
const AUTO_TERMS = 20;

export function correlate(inputs: readonly SynthInput[], args: CorrelateArgs): CorrelateResult {
  const collected = collect(inputs);
  const records = mergeByIdentity(collected.records, (r) => r.key).records;
  return { ...correlateRecords(records, args), skipped: collected.skipped, skippedItems: collected.skippedItems };
}

export function correlateRecords(records: readonly SynthRecord[], args: CorrelateArgs): Omit<CorrelateResult, "skipped" | "skippedItems"> {
  const groups = new Map<string, { direct: SynthRecord[]; mentioned: SynthRecord[] }>();
  const add = (key: string, record: SynthRecord, direct: boolean) => {
    let g = groups.get(key);
    if (!g) groups.set(key, (g = { direct: [], mentioned: [] }));
    (direct ? g.direct : g.mentioned).push(record);
  };
  let usedTerms: string[] | undefined;
  if (args.groupBy === "term") {
    usedTerms = chooseTerms(records, args);
    for (const r of records) for (const t of termsIn(r, usedTerms)) add(t, r, false);
  } else {
    const keysOf = keyFinder(records, args.groupBy);
    for (const r of records) {
      const { own, mentioned } = keysOf(r);
      if (own !== undefined) add(own, r, true);
      for (const k of mentioned) if (k !== own) add(k, r, false);
    }
  }
  const all = [...groups.entries()].map(([key, g]) => toGroup(key, [...g.direct, ...g.mentioned], g.mentioned.length));
  all.sort((a, b) => b.count - a.count || b.families.length - a.families.length || cmp(a.key, b.key));
  const crossLinked = all
    .filter((g) => g.families.length > 1)
    .sort((a, b) => b.families.length - a.families.length || b.count - a.count || cmp(a.key, b.key))
    .slice(0, args.limit)
    .map(({ key, families, kinds, sources, count }) => ({ key, families, kinds, sources, count }));
  return { groupBy: args.groupBy, groups: all.slice(0, args.limit), crossLinked, ...(usedTerms ? { terms: usedTerms } : {}) };
}

function toGroup(key: string, records: SynthRecord[], mentions: number): CorrelationGroup {
  const kinds = new Set<RecordKind>();
  const families = new Set<RecordFamily>();
  const sources = new Set<string>();
  for (const r of records) {
    kinds.add(r.kind);
    families.add(familyOf(r.kind));
    for (const s of r.sources) sources.add(s);
  }
  return {
    key,
    count: records.length,
    mentions,
    kinds: [...kinds].sort(),
    families: [...families].sort(),
    sources: [...sources].sort(),
    records: records.slice(0, RECORDS_PER_GROUP).map((r) => ({ ...r, text: clip(r.text, GROUP_TEXT) })),
  };
}

type KeysOf = (r: SynthRecord) => { own?: string | undefined; mentioned: string[] };

function keyFinder(records: readonly SynthRecord[], groupBy: Exclude<GroupBy, "term">): KeysOf {
  const textOf = (r: SynthRecord) => (r.title ? `${r.title}\n${r.text}` : r.text);
  if (groupBy === "url") return (r) => ({ own: r.url ? canonicalUrl(r.url) : undefined, mentioned: urlsIn(textOf(r)) });
  if (groupBy === "host") {
    return (r) => ({
      own: r.url ? hostOf(r.url) : undefined,
      mentioned: [
        ...new Set(
          urlsIn(textOf(r))
            .map(hostOf)
            .filter((h): h is string => !!h),
        ),
      ],
    });
  }
  const resolve = pathResolver(records);
  return (r) => ({
    own: r.path,
    mentioned: [
      ...new Set(
        pathsIn(textOf(r))
          .map(resolve)
          .filter((p): p is string => !!p),
      ),
    ],
  });
}

/** Maps a path written in text to a known path: exactly, or as a unique suffix of two or more segments. */
function pathResolver(records: readonly SynthRecord[]): (mention: string) => string | undefined {
  const known = new Set<string>();
  for (const r of records) if (r.path) known.add(r.path.replace(/^\.\//, ""));
  const suffixes = new Map<string, string | null>();
  for (const path of known) {
    const parts = path.split("/");
    for (let i = 1; i <= parts.length - 2; i++) {
      const suffix = parts.slice(i).join("/");
      const seen = suffixes.get(suffix);
      suffixes.set(suffix, seen === undefined || seen === path ? path : null);
    }
  }
  return (mention) => {
    if (known.has(mention)) return mention;
    return suffixes.get(mention) ?? undefined;
  };
}

function chooseTerms(records: readonly SynthRecord[], args: CorrelateArgs): string[] {
  if (args.terms?.length) return [...new Set(args.terms.map((t) => t.trim().toLowerCase()).filter(Boolean))];
  const fromQuery = args.query ? [...new Set(tokenize(args.query))] : [];
  if (fromQuery.length) return fromQuery;
  const df = new Map<string, number>();
  for (const r of records)
    for (const t of new Set(tokenize(r.title ? `${r.title} ${r.text}` : r.text)))
      if (t.length > 2 && !/^\d+$/.test(t)) df.set(t, (df.get(t) ?? 0) + 1);
  return [...df.entries()]
    .filter(([t, n]) => n > 1 && !isStopWord(t))
    .sort((a, b) => b[1] - a[1] || cmp(a[0], b[0]))
    .slice(0, AUTO_TERMS)
    .map(([t]) => t);
}

function termsIn(record: SynthRecord, wanted: readonly string[]): string[] {
  const text = [record.title, record.path, record.url, record.text].filter(Boolean).join("\n");
  const lower = text.toLowerCase();
  let tokens: Set<string> | undefined;
  return wanted.filter((t) => {
    if (/^[\p{L}\p{N}_]+$/u.test(t)) return (tokens ??= new Set(tokenize(text))).has(t);
    return lower.includes(t);
  });
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
