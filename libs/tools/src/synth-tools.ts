import { z } from "zod";
import { defineTool } from "./spec.js";
import { correlateOutput, dedupeOutput, mergeOutput, rankOutput, reportOutput } from "./synth-outputs.js";

/**
 * Synthesis tools run inside the coordinator over the outputs of a task's
 * dependencies (a fan-out dependency contributes one input per item). Their
 * outputs are records ({records: [...]}) or a report, so they chain:
 * merge → dedupe → rank → correlate → report.
 */
const inputs = {
  /** Ids of the dependencies to read; every dependency when omitted. */
  from: z.array(z.string().min(1)).max(256).optional(),
};

export const synthMerge = defineTool({
  name: "synth.merge",
  pool: "synth",
  shareable: true,
  description: "Normalises the inputs' outputs (matches, files, search results, pages, command output) into one list of records.",
  args: z
    .object({
      ...inputs,
      limit: z.number().int().min(1).max(100_000).default(10_000),
    })
    .strict(),
  output: mergeOutput,
});

export const synthDedupe = defineTool({
  name: "synth.dedupe",
  pool: "synth",
  shareable: true,
  description: "Removes duplicate records: by key fields, then by content similarity (shingle Jaccard).",
  args: z
    .object({
      ...inputs,
      /** Record fields whose values together identify a record; the record's own key when omitted (canonical URL, path:line, ...). */
      key: z.array(z.string().min(1)).max(8).optional(),
      /** Jaccard similarity at or above which two records' texts count as the same; 1 turns content dedupe off. */
      similarity: z.number().min(0).max(1).default(0.85),
      limit: z.number().int().min(1).max(100_000).default(10_000),
    })
    .strict(),
  output: dedupeOutput,
});

export const synthRank = defineTool({
  name: "synth.rank",
  pool: "synth",
  shareable: true,
  description: "Orders records by relevance to a query (BM25), agreement between sources and their own scores.",
  args: z
    .object({
      ...inputs,
      query: z.string().max(2048).optional(),
      limit: z.number().int().min(1).max(10_000).default(50),
    })
    .strict(),
  output: rankOutput,
});

export const synthCorrelate = defineTool({
  name: "synth.correlate",
  pool: "synth",
  shareable: true,
  description:
    "Groups records by a key (path, url, host, term) and finds keys that several kinds of source mention (e.g. files named by both web pages and code matches).",
  args: z
    .object({
      ...inputs,
      groupBy: z.enum(["path", "url", "host", "term"]).default("path"),
      /** For groupBy "term" without terms: its words are the terms. */
      query: z.string().max(2048).optional(),
      /** For groupBy "term": the terms to look for; otherwise the query's words (the commonest words when there is no query either). */
      terms: z.array(z.string().min(1)).max(64).optional(),
      limit: z.number().int().min(1).max(10_000).default(100),
    })
    .strict(),
  output: correlateOutput,
});

export const synthReport = defineTool({
  name: "synth.report",
  pool: "synth",
  shareable: true,
  description: "Summarises the inputs into one report: structured JSON plus Markdown, citing paths and URLs.",
  args: z
    .object({
      ...inputs,
      title: z.string().min(1).max(256).default("toolmesh report"),
      question: z.string().max(2048).optional(),
      /** Items listed per section. */
      maxItems: z.number().int().min(1).max(500).default(20),
    })
    .strict(),
  output: reportOutput,
});

export const SYNTH_TOOLS = [synthMerge, synthDedupe, synthRank, synthCorrelate, synthReport] as const;
