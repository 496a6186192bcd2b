/**
 * synth.rank: rankScore = BM25 relevance to the query (scaled so the best
 * record has 1) + AGREEMENT × the share of the most-cited record's distinct
 * sources + OWN × the record's own score scaled within its kind (web.search's
 * fused score, an earlier rank). Ties go to the smaller key, so the order is
 * the same on every run.
 */
import { Bm25Index } from "@toolmesh/text";
import { collect } from "./collect.js";
import type { SynthInput } from "./normalise.js";
import { mergeByIdentity, type SynthRecord } from "./record.js";

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

const AGREEMENT = 0.3;
const OWN = 0.2;

export function rank(inputs: readonly SynthInput[], args: RankArgs): RankResult {
  const collected = collect(inputs);
  const records = mergeByIdentity(collected.records, (r) => r.key).records;
  return { ...rankRecords(records, args), skipped: collected.skipped, skippedItems: collected.skippedItems };
}

export function rankRecords(records: readonly SynthRecord[], args: RankArgs): Omit<RankResult, "skipped" | "skippedItems"> {
  const query = args.query?.trim() ? args.query.trim() : null;
  const relevance = query
    ? new Bm25Index(records.map((r) => (r.title ? `${r.title} ${r.text}` : r.text))).scores(query)
    : records.map(() => 0);
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

function round(x: number): number {
  return Math.round(x * 1e6) / 1e6;
}
