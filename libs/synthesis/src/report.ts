/**
 * synth.report: merge → dedupe → rank (by the question) of every input, then
 * one structured report and its Markdown. Code statistics come from the
 * merged records before content dedupe, so every analysed file counts once.
 * Each list holds at most maxItems entries.
 */
import { OTHER_LANGUAGE } from "@toolmesh/tools";
import { collect } from "./collect.js";
import { moduleEdges, modules, type ModuleEdge, type ModuleStats } from "./code-structure.js";
import { correlateRecords, type CrossLink } from "./correlate.js";
import { dedupeRecords } from "./dedupe.js";
import { countBySource } from "./merge.js";
import type { SynthInput } from "./normalise.js";
import { rankRecords } from "./rank.js";
import { mergeByIdentity, type RecordKind, type SynthRecord } from "./record.js";
import { renderMarkdown } from "./report-markdown.js";
import { searchesOf, summarizeSearches, type SearchSummary } from "./searches.js";
import { clip } from "./text.js";

export interface ReportArgs {
  title: string;
  question?: string | undefined;
  maxItems: number;
}

export interface Report {
  title: string;
  question: string | null;
  totals: {
    inputs: number;
    skipped: number;
    skippedItems: number;
    /** Records after merging equal keys. */
    records: number;
    /** Removed as near-duplicates of another record. */
    duplicates: number;
    byKind: Partial<Record<RecordKind, number>>;
    bySource: Record<string, number>;
  };
  /** Null when no input described files (code.analyze, code.glob, code.read). */
  code: {
    files: number;
    lines: number;
    symbols: number;
    languages: Array<{ language: string; files: number; lines: number }>;
    largestFiles: Array<{ path: string; lines: number; bytes?: number; language?: string }>;
  } | null;
  topMatches: Array<{ path: string; line: number; text: string; sources: string[] }>;
  /** Files with the most TODO/FIXME/HACK/XXX matches, then the most matches. */
  hotspots: Array<{ path: string; matches: number; markers: number }>;
  modules: ModuleStats[];
  moduleEdges: ModuleEdge[];
  /** How the edges were derived, or why there are none. */
  moduleEdgesNote: string;
  /** Paths that both code and web pages / answers / commands mention. */
  crossLinked: CrossLink[];
  web: Array<{ url: string; title: string; snippet: string; kind: "page" | "search-result"; sources: string[] }>;
  commands: Array<{ source: string; title: string; exitCode?: number | null; output: string }>;
  answers: Array<{ source: string; title?: string; answer: string }>;
  /** The best-ranked records of any kind. */
  top: Array<{ kind: RecordKind; key: string; title?: string; text: string; rankScore: number; sources: string[] }>;
  /**
   * The search providers behind the web records: per provider, the searches it
   * answered or failed (and why); localOnly when no web provider answered, so
   * every search result is from the local index. Null when no web.search fed the report.
   */
  search: SearchSummary | null;
}

const MARKER = /\b(TODO|FIXME|HACK|XXX)\b/;
const SNIPPET = 300;
const OUTPUT_LINES = 15;
const ANSWER = 4000;

export function report(inputs: readonly SynthInput[], args: ReportArgs): { report: Report; markdown: string } {
  const max = args.maxItems;
  const collected = collect(inputs);
  const merged = mergeByIdentity(collected.records, (r) => r.key).records;
  const deduped = dedupeRecords(merged, { similarity: 0.85, limit: Number.MAX_SAFE_INTEGER });
  const ranked = rankRecords(deduped.records, { query: args.question, limit: Number.MAX_SAFE_INTEGER }).records;
  const byKind: Partial<Record<RecordKind, number>> = {};
  for (const r of merged) byKind[r.kind] = (byKind[r.kind] ?? 0) + 1;

  const mods = modules(merged);
  const { edges, statements } = moduleEdges(
    merged,
    mods.map((m) => m.module),
  );
  const matches = ranked.filter((r) => r.kind === "match" && r.path !== undefined && r.line !== undefined);
  const out: Report = {
    title: args.title,
    question: args.question?.trim() || null,
    totals: {
      inputs: collected.inputs,
      skipped: collected.skipped,
      skippedItems: collected.skippedItems,
      records: merged.length,
      duplicates: deduped.removed.bySimilarity,
      byKind,
      bySource: countBySource(merged),
    },
    code: codeStats(merged, max),
    topMatches: matches
      .slice(0, max)
      .map((r) => ({ path: r.path as string, line: r.line as number, text: clip(r.text, SNIPPET), sources: r.sources })),
    hotspots: hotspots(matches, max),
    modules: mods.slice(0, max),
    moduleEdges: edges.slice(0, max),
    moduleEdgesNote:
      statements > 0
        ? `derived from ${statements} import statement${statements === 1 ? "" : "s"} found in the inputs`
        : 'not derivable: no input lists imports (code.analyze reports symbols, not imports); a code.grep for "^import|require\\(" gives the edges',
    crossLinked: correlateRecords(merged, { groupBy: "path", limit: max }).crossLinked,
    web: ranked
      .filter(
        (r): r is SynthRecord & { kind: "page" | "search-result"; url: string } =>
          (r.kind === "page" || r.kind === "search-result") && r.url !== undefined,
      )
      .slice(0, max)
      .map((r) => ({ url: r.url, title: r.title ?? r.url, snippet: clip(r.text, SNIPPET), kind: r.kind, sources: r.sources })),
    commands: ranked
      .filter((r) => r.kind === "command")
      .slice(0, max)
      .map((r) => ({
        source: r.sources.join(", "),
        title: r.title ?? r.key,
        ...(r.exitCode !== undefined ? { exitCode: r.exitCode } : {}),
        output: headLines(r.text, OUTPUT_LINES),
      })),
    answers: ranked
      .filter((r) => r.kind === "agent")
      .slice(0, max)
      .map((r) => ({
        source: r.sources.join(", "),
        ...(r.title ? { title: r.title } : {}),
        answer: r.text.length > ANSWER ? `${r.text.slice(0, ANSWER)}…` : r.text,
      })),
    top: ranked.slice(0, max).map((r) => ({
      kind: r.kind,
      key: r.key,
      ...(r.title ? { title: r.title } : {}),
      text: clip(r.text, SNIPPET),
      rankScore: r.rankScore ?? 0,
      sources: r.sources,
    })),
    search: summarizeSearches(searchesOf(inputs)),
  };
  return { report: out, markdown: renderMarkdown(out) };
}

function codeStats(records: readonly SynthRecord[], max: number): Report["code"] {
  const files = records.filter((r) => r.kind === "file" && r.path !== undefined);
  if (files.length === 0) return null;
  const languages = new Map<string, { language: string; files: number; lines: number }>();
  for (const f of files) {
    const language = f.language ?? OTHER_LANGUAGE;
    const entry = languages.get(language) ?? { language, files: 0, lines: 0 };
    entry.files++;
    entry.lines += f.lines ?? 0;
    languages.set(language, entry);
  }
  const symbolRecords = records.filter((r) => r.kind === "symbol").length;
  const symbolCounts = files.reduce((s, f) => s + (f.symbols ?? 0), 0);
  return {
    files: files.length,
    lines: files.reduce((s, f) => s + (f.lines ?? 0), 0),
    symbols: Math.max(symbolRecords, symbolCounts),
    languages: [...languages.values()]
      .sort((a, b) => b.lines - a.lines || b.files - a.files || (a.language < b.language ? -1 : 1))
      .slice(0, max),
    largestFiles: files
      .filter((f) => f.lines !== undefined || f.bytes !== undefined)
      .sort(
        (a, b) => (b.lines ?? 0) - (a.lines ?? 0) || (b.bytes ?? 0) - (a.bytes ?? 0) || ((a.path as string) < (b.path as string) ? -1 : 1),
      )
      .slice(0, max)
      .map((f) => ({
        path: f.path as string,
        lines: f.lines ?? 0,
        ...(f.bytes !== undefined ? { bytes: f.bytes } : {}),
        ...(f.language ? { language: f.language } : {}),
      })),
  };
}

function hotspots(matches: readonly SynthRecord[], max: number): Report["hotspots"] {
  const byPath = new Map<string, { path: string; matches: number; markers: number }>();
  for (const m of matches) {
    const path = m.path as string;
    const entry = byPath.get(path) ?? { path, matches: 0, markers: 0 };
    entry.matches++;
    if (MARKER.test(m.text)) entry.markers++;
    byPath.set(path, entry);
  }
  return [...byPath.values()].sort((a, b) => b.markers - a.markers || b.matches - a.matches || (a.path < b.path ? -1 : 1)).slice(0, max);
}

function headLines(text: string, n: number): string {
  const lines = text.replace(/\s+$/, "").split("\n");
  const head = lines.slice(0, n).map((l) => (l.length > 200 ? `${l.slice(0, 200)}…` : l));
  return lines.length > n ? `${head.join("\n")}\n… (${lines.length - n} more lines)` : head.join("\n");
}
