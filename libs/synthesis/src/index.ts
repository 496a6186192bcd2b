/**
 * @toolmesh/synthesis — the coordinator's built-in synth.* tools: pure,
 * synchronous, deterministic functions over the outputs of a task's
 * dependencies. Every tool output is first normalised to records
 * (toRecords); the tools merge, dedupe, rank, correlate and report them,
 * and their own outputs are valid inputs again, so they chain.
 *
 *   const out = runSynthTool("synth.report", parseToolArgs("synth.report", { question: "Where are errors mapped?" }), [
 *     { source: "grep-todo", tool: "code.grep", output: grepOutput },
 *     { source: "docs[0]", tool: "web.fetch", output: pageOutput },
 *   ]);
 *   console.log(out.markdown);
 */
export { correlate, correlateRecords } from "./correlate.js";
export type { CorrelateArgs, CorrelateResult, CorrelationGroup, CrossLink, GroupBy } from "./correlate.js";
export { dedupe, dedupeRecords, jaccard, shingles } from "./dedupe.js";
export type { DedupeArgs, DedupeResult } from "./dedupe.js";
export { merge } from "./merge.js";
export type { MergeArgs, MergeResult } from "./merge.js";
export { normalise, toRecords } from "./normalise.js";
export type { Normalised, SynthInput } from "./normalise.js";
export { rank, rankRecords } from "./rank.js";
export type { RankArgs, RankResult } from "./rank.js";
export { RECORD_KINDS, familyOf } from "./record.js";
export type { RecordFamily, RecordKind, SynthRecord } from "./record.js";
export { report } from "./report.js";
export type { Report, ReportArgs } from "./report.js";
export { SYNTH_TOOL_NAMES, runSynthTool } from "./run.js";
export { searchesOf, summarizeSearches } from "./searches.js";
export type { ProviderSummary, SearchAttempts, SearchSummary } from "./searches.js";
export { canonicalUrl } from "./text.js";
