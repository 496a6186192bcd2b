import type { TaskSpec, WorkflowSpec } from "@toolmesh/proto";
import { z } from "zod";
import { ALL_SETTLED, HTTP_URL, idsOf, task, workflow } from "./graph.js";
import { ROOT_NAMESPACE, type Namespace } from "./naming.js";
import { parseParams } from "./params.js";

export const EXPLORE_WEB = "explore-web";

/** Room left in web.search's 512-character query for the variants' additions. */
const MAX_QUERY = 480;

export const exploreWebParams = z
  .object({
    /** What to search for; each query (and its variants) is one web.search, all in parallel. */
    queries: z
      .array(
        z.string().trim().min(1, "queries must not be empty strings").max(MAX_QUERY, `each query must be at most ${MAX_QUERY} characters`),
        {
          required_error: "queries is required: give 1 to 16 search queries",
        },
      )
      .min(1, "give at least one query")
      .max(16, "give at most 16 queries"),
    /** Also search each query as a quoted phrase, "<q> documentation" and "<q> example". */
    variants: z.boolean().default(true),
    /** Top-ranked result pages fetched at most (web.fetch fan-out cap). */
    maxFetch: z.number().int().min(1, "maxFetch must be at least 1").max(50, "maxFetch must be at most 50").default(10),
    /** The fetch stage takes what has arrived this long after it starts; slower pages are dropped. */
    fetchDeadlineMs: z
      .number()
      .int()
      .min(1000, "fetchDeadlineMs must be at least 1000")
      .max(300_000, "fetchDeadlineMs must be at most 300000")
      .default(20_000),
  })
  .strict();

export type ExploreWebParams = z.input<typeof exploreWebParams>;

/** The searches for `queries`: each query, and with `variants` its phrase, documentation and example forms; no duplicates. */
export function searchQueries(queries: readonly string[], variants: boolean): string[] {
  const out = new Map<string, string>();
  for (const q of queries) {
    const forms = [q];
    if (variants) {
      if (/\s/.test(q) && !q.includes('"')) forms.push(`"${q}"`);
      forms.push(`${q} documentation`, `${q} example`);
    }
    for (const form of forms) if (!out.has(form.toLowerCase())) out.set(form.toLowerCase(), form);
  }
  return [...out.values()];
}

export interface WebGraph {
  tasks: TaskSpec[];
  ranked: string;
  pages: string;
  content: string[];
}

type Parsed = z.output<typeof exploreWebParams>;

export function webGraph(p: Parsed, ns: Namespace = ROOT_NAMESPACE): WebGraph {
  const { id, stage } = ns;
  const searches = searchQueries(p.queries, p.variants).map((query, i) =>
    task({ id: id(`search-${i}`), tool: "web.search", stage: stage("search"), args: { query, maxResults: 10 } }),
  );

  const rank = stage("rank");
  const results = task({ id: id("results"), tool: "synth.merge", stage: rank, args: {}, dependsOn: idsOf(searches), fanIn: ALL_SETTLED });
  // By canonical URL first (the records' own key), then near-identical snippets (mirrors).
  const unique = task({ id: id("results-unique"), tool: "synth.dedupe", stage: rank, args: {}, dependsOn: [results.id] });
  const ranked = task({
    id: id("ranked"),
    tool: "synth.rank",
    stage: rank,
    args: { query: p.queries[0], limit: Math.max(30, p.maxFetch * 3) },
    dependsOn: [unique.id],
  });

  // DEADLINE, not ALL_SETTLED: per-host politeness and busy pools can queue a
  // fetch behind others, so a per-call timeout alone does not bound the stage.
  // The deadline does; pages still loading then are dropped, the rest go on.
  const pageTimeout = Math.min(15_000, p.fetchDeadlineMs);
  const fetch = task({
    id: id("fetch"),
    tool: "web.fetch",
    stage: stage("fetch"),
    args: { url: "{{item}}", timeoutMs: pageTimeout },
    forEach: { from: ranked.id, items: "records[].url", maxItems: p.maxFetch, match: HTTP_URL },
    fanIn: { mode: "deadline", deadlineMs: p.fetchDeadlineMs },
    timeoutMs: pageTimeout + 5_000,
  });
  // Pages whose text is the same (syndicated copies, redirects to one article) count once.
  const pages = task({ id: id("pages"), tool: "synth.dedupe", stage: stage("dedupe"), args: { similarity: 0.8 }, dependsOn: [fetch.id] });

  const tasks = [...searches, results, unique, ranked, fetch, pages];
  return { tasks, ranked: ranked.id, pages: pages.id, content: [ranked.id, pages.id] };
}

export function exploreWeb(params: unknown): WorkflowSpec {
  const p = parseParams(EXPLORE_WEB, exploreWebParams, params);
  const graph = webGraph(p);
  const report = task({
    id: "report",
    tool: "synth.report",
    stage: "report",
    args: {
      title: `Web: ${p.queries[0]}`.slice(0, 256),
      question: p.queries.join(" · ").slice(0, 2048),
      maxItems: Math.max(20, p.maxFetch),
    },
    dependsOn: graph.content,
    fanIn: ALL_SETTLED,
  });
  return workflow(EXPLORE_WEB, [...graph.tasks, report]);
}
