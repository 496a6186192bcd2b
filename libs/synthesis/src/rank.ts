/**
 * synth.rank: rankScore = BM25 relevance to the query (scaled so the best
 * record has 1) + AGREEMENT × the share of the most-cited record's distinct
 * sources + OWN × the record's own score scaled within its kind (web.search's
 * fused score, an earlier rank). Ties go to the smaller key, so the order is
 * the same on every run.
 */
import { collect } from "./collect.js";
import type { SynthInput } from "./normalise.js";
import { mergeByIdentity, type SynthRecord } from "./record.js";
import { terms } from "./text.js";

export interface RankArgs {
  query?: string | undefined;
  limit: number;
}

export interface RankResult {
  records: SynthRecord[];
  query: string | null;
  count: number;
  skipped: number;
  skippedItems: number;
}

const K1 = 1.2;
const B = 0.75;
const AGREEMENT = 0.3;
const OWN = 0.2;

export function rank(inputs: readonly SynthInput[], args: RankArgs): RankResult {
  const collected = collect(inputs);
  const records = mergeByIdentity(collected.records, (r) => r.key).records;
  return { ...rankRecords(records, args), skipped: collected.skipped, skippedItems: collected.skippedItems };
}

export function rankRecords(records: readonly SynthRecord[], args: RankArgs): Omit<RankResult, "skipped" | "skippedItems"> {
  const query = args.query?.trim() ? args.query.trim() : null;
  const relevance = query ? bm25(records, [...new Set(stemmed(query))]) : records.map(() => 0);
  const maxRelevance = Math.max(0, ...relevance);
  const maxSources = Math.max(1, ...records.map((r) => r.sources.length));
  const maxScore = new Map<string, number>();
  for (const r of records) if (r.score !== undefined && r.score > 0) maxScore.set(r.kind, Math.max(maxScore.get(r.kind) ?? 0, r.score));
  const scored = records.map((r, i) => {
    const rel = maxRelevance > 0 ? (relevance[i] as number) / maxRelevance : 0;
    const agreement = maxSources > 1 ? (r.sources.length - 1) / (maxSources - 1) : 0;
    const top = maxScore.get(r.kind);
    const own = top && r.score !== undefined && r.score > 0 ? r.score / top : 0;
    return { ...r, rankScore: round(rel + AGREEMENT * agreement + OWN * own) };
  });
  scored.sort((a, b) => b.rankScore - a.rankScore || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  const out = scored.slice(0, args.limit);
  return { records: out, query, count: out.length };
}

/** Okapi BM25 of each record's title + text against the query terms, over this set of records. */
function bm25(records: readonly SynthRecord[], queryTerms: readonly string[]): number[] {
  if (queryTerms.length === 0 || records.length === 0) return records.map(() => 0);
  const wanted = new Set(queryTerms);
  const tf: Array<Map<string, number>> = [];
  const lengths: number[] = [];
  const df = new Map<string, number>();
  for (const r of records) {
    const doc = stemmed(r.title ? `${r.title} ${r.text}` : r.text);
    lengths.push(doc.length);
    const counts = new Map<string, number>();
    for (const t of doc) if (wanted.has(t)) counts.set(t, (counts.get(t) ?? 0) + 1);
    for (const t of counts.keys()) df.set(t, (df.get(t) ?? 0) + 1);
    tf.push(counts);
  }
  const n = records.length;
  const avg = lengths.reduce((s, l) => s + l, 0) / n || 1;
  return tf.map((counts, i) => {
    let score = 0;
    for (const t of queryTerms) {
      const f = counts.get(t);
      if (!f) continue;
      const d = df.get(t) ?? 0;
      const idf = Math.log(1 + (n - d + 0.5) / (d + 0.5));
      score += (idf * f * (K1 + 1)) / (f + K1 * (1 - B + (B * (lengths[i] as number)) / avg));
    }
    return score;
  });
}

/** Terms with a plural "s" dropped, so "statuses" finds "status" ("status" itself becomes "statu" on both sides). */
function stemmed(text: string): string[] {
  return terms(text).map((t) => (t.length > 3 && t.endsWith("s") && !t.endsWith("ss") ? t.slice(0, t.endsWith("ies") ? -3 : t.endsWith("ses") ? -2 : -1) : t));
}

function round(x: number): number {
  return Math.round(x * 1e6) / 1e6;
}
