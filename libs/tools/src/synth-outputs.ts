/**
 * What the synth.* tools return. Their records are every other tool's output
 * normalised (libs/synthesis), so records, groups and reports are inputs to
 * the next synth tool again.
 */
import { z } from "zod";
import { providerAttempt } from "./web-tools.js";

export const RECORD_KINDS = ["match", "file", "symbol", "search-result", "page", "command", "agent", "text"] as const;
export const recordKind = z.enum(RECORD_KINDS);
export const recordFamily = z.enum(["code", "web", "command", "agent", "text"]);

const count = z.number().int().min(0);

/** One normalised item: a match, file, page, command output, ...; `key` is its identity. */
export const synthRecord = z
  .object({
    kind: recordKind,
    key: z.string().min(1),
    title: z.string().optional(),
    text: z.string(),
    path: z.string().optional(),
    line: z.number().optional(),
    url: z.string().optional(),
    /** The producing tool's own score (web.search's fused score). */
    score: z.number().optional(),
    language: z.string().optional(),
    lines: z.number().optional(),
    bytes: z.number().optional(),
    /** Files: number of top-level symbols. */
    symbols: z.number().optional(),
    imports: z.array(z.string()).optional(),
    /** Commands: null when killed by a signal. */
    exitCode: z.number().nullable().optional(),
    sources: z.array(z.string()),
    tools: z.array(z.string()),
    /** Set by synth.rank. */
    rankScore: z.number().optional(),
  })
  .strict();

/** One web.search call's provider attempts, carried through synth outputs for the report. */
export const searchAttempts = z
  .object({ source: z.string(), attempts: z.array(providerAttempt), configure: z.string().optional() })
  .strict();

const counted = { skipped: count, skippedItems: count };
/** The web.search attempts behind the records, when there were any. */
const carried = { searches: z.array(searchAttempts).optional() };

export const mergeOutput = z
  .object({
    records: z.array(synthRecord),
    count,
    bySource: z.record(z.string(), count),
    ...counted,
    inputs: count,
    truncated: z.boolean(),
    ...carried,
  })
  .strict();

export const dedupeOutput = z
  .object({
    records: z.array(synthRecord),
    count,
    removed: z.object({ byKey: count, bySimilarity: count }).strict(),
    ...counted,
    truncated: z.boolean(),
    ...carried,
  })
  .strict();

export const rankOutput = z.object({ records: z.array(synthRecord), query: z.string().nullable(), count, ...counted, ...carried }).strict();

export const crossLink = z
  .object({ key: z.string(), families: z.array(recordFamily), kinds: z.array(recordKind), sources: z.array(z.string()), count })
  .strict();

export const correlateOutput = z
  .object({
    groupBy: z.enum(["path", "url", "host", "term"]),
    groups: z.array(
      z
        .object({
          key: z.string(),
          count,
          mentions: count,
          kinds: z.array(recordKind),
          families: z.array(recordFamily),
          sources: z.array(z.string()),
          records: z.array(synthRecord),
        })
        .strict(),
    ),
    crossLinked: z.array(crossLink),
    terms: z.array(z.string()).optional(),
    ...counted,
    ...carried,
  })
  .strict();

const searchSummary = z
  .object({
    searches: count,
    webReached: z.boolean(),
    localOnly: z.boolean(),
    providers: z.array(
      z
        .object({
          provider: z.string(),
          web: z.boolean(),
          ok: count,
          failed: count,
          notConfigured: count,
          results: count,
          errors: z.array(z.string()),
        })
        .strict(),
    ),
    configure: z.string().nullable(),
  })
  .strict();

const report = z
  .object({
    title: z.string(),
    question: z.string().nullable(),
    totals: z
      .object({
        inputs: count,
        ...counted,
        records: count,
        duplicates: count,
        byKind: z.record(recordKind, count),
        bySource: z.record(z.string(), count),
      })
      .strict(),
    code: z
      .object({
        files: count,
        lines: count,
        symbols: count,
        languages: z.array(z.object({ language: z.string(), files: count, lines: count }).strict()),
        largestFiles: z.array(
          z.object({ path: z.string(), lines: z.number(), bytes: z.number().optional(), language: z.string().optional() }).strict(),
        ),
      })
      .strict()
      .nullable(),
    topMatches: z.array(z.object({ path: z.string(), line: z.number(), text: z.string(), sources: z.array(z.string()) }).strict()),
    hotspots: z.array(z.object({ path: z.string(), matches: count, markers: count }).strict()),
    modules: z.array(z.object({ module: z.string(), files: count, lines: count }).strict()),
    moduleEdges: z.array(z.object({ from: z.string(), to: z.string(), imports: count }).strict()),
    moduleEdgesNote: z.string(),
    crossLinked: z.array(crossLink),
    web: z.array(
      z
        .object({
          url: z.string(),
          title: z.string(),
          snippet: z.string(),
          kind: z.enum(["page", "search-result"]),
          sources: z.array(z.string()),
        })
        .strict(),
    ),
    commands: z.array(
      z.object({ source: z.string(), title: z.string(), exitCode: z.number().nullable().optional(), output: z.string() }).strict(),
    ),
    answers: z.array(z.object({ source: z.string(), title: z.string().optional(), answer: z.string() }).strict()),
    top: z.array(
      z
        .object({
          kind: recordKind,
          key: z.string(),
          title: z.string().optional(),
          text: z.string(),
          rankScore: z.number(),
          sources: z.array(z.string()),
        })
        .strict(),
    ),
    search: searchSummary.nullable(),
  })
  .strict();

/** synth.report: the structured report and its Markdown. */
export const reportOutput = z.object({ report, markdown: z.string() }).strict();
