import { runSynthTool, type Report } from "@toolmesh/synthesis";
import { describe, expect, it } from "vitest";
import { input } from "./fixtures.js";

// web.search outputs as apps/web-search writes them: results, plus every
// provider's attempt and, when no web provider answered, how to configure one.
const CONFIGURE =
  "to search the web, give the web pool TOOLMESH_WEB_PROVIDERS=searxng,local and TOOLMESH_SEARXNG_URL (the base URL of a SearXNG instance with the json format enabled), " +
  "or TOOLMESH_WEB_PROVIDERS=brave,local and TOOLMESH_BRAVE_API_KEY (a Brave Search API key), e.g. in the environment of toolmesh up";

const localHit = (name: string) => ({
  url: `file:///repo/docs/${name}.md`,
  title: name,
  snippet: `${name} work queue`,
  provider: "local",
  providers: ["local"],
  rank: 1,
  score: 0.016,
});
const webHit = (name: string) => ({
  url: `https://example.org/${name}`,
  title: name,
  snippet: `${name} work queue`,
  provider: "searxng",
  providers: ["searxng"],
  rank: 1,
  score: 0.016,
});

const localOnlySearch = (query: string) => ({
  query,
  results: [localHit("queues"), localHit("leases")],
  providers: ["local"],
  failures: [],
  attempts: [
    { provider: "local", web: false, outcome: "ok", results: 2 },
    { provider: "searxng", web: true, outcome: "not configured", error: "TOOLMESH_SEARXNG_URL not set" },
    { provider: "brave", web: true, outcome: "not configured", error: "TOOLMESH_BRAVE_API_KEY not set" },
  ],
  webReached: false,
  configure: CONFIGURE,
});

const webSearch = (query: string) => ({
  query,
  results: [webHit("queues")],
  providers: ["searxng", "brave"],
  failures: [{ provider: "brave", error: "brave: HTTP 401 Unauthorized (check TOOLMESH_BRAVE_API_KEY)", code: "UNAVAILABLE" }],
  attempts: [
    { provider: "searxng", web: true, outcome: "ok", results: 1 },
    { provider: "brave", web: true, outcome: "failed", code: "UNAVAILABLE", error: "HTTP 401 Unauthorized (check TOOLMESH_BRAVE_API_KEY)" },
  ],
  webReached: true,
});

/** explore-web's synthesis chain: results (merge) → results-unique (dedupe) → ranked (rank) → report. */
function exploreWebReport(searches: Array<Record<string, unknown>>): { report: Report; markdown: string } {
  const merged = runSynthTool(
    "synth.merge",
    {},
    searches.map((s, i) => input(`search-${i}`, "web.search", s)),
  );
  const unique = runSynthTool("synth.dedupe", {}, [input("results", "synth.merge", merged)]);
  const ranked = runSynthTool("synth.rank", { query: "work queue" }, [input("results-unique", "synth.dedupe", unique)]);
  const pages = runSynthTool("synth.dedupe", { similarity: 0.8 }, []);
  return runSynthTool("synth.report", { title: "Web: work queue", question: "work queue" }, [
    input("ranked", "synth.rank", ranked),
    input("pages", "synth.dedupe", pages),
  ]) as unknown as {
    report: Report;
    markdown: string;
  };
}

describe("which search providers answered, through merge → dedupe → rank → report", () => {
  it("no web provider reachable: a line near the top says local index only, why, and how to configure one; the JSON says so too", () => {
    const { report, markdown } = exploreWebReport([localOnlySearch("work queue"), localOnlySearch('"work queue"')]);
    expect(report.search).toEqual({
      searches: 2,
      webReached: false,
      localOnly: true,
      providers: [
        { provider: "local", web: false, ok: 2, failed: 0, notConfigured: 0, results: 4, errors: [] },
        { provider: "searxng", web: true, ok: 0, failed: 0, notConfigured: 2, results: 0, errors: ["TOOLMESH_SEARXNG_URL not set"] },
        { provider: "brave", web: true, ok: 0, failed: 0, notConfigured: 2, results: 0, errors: ["TOOLMESH_BRAVE_API_KEY not set"] },
      ],
      configure: CONFIGURE,
    });
    const lines = markdown.split("\n");
    expect(lines[0]).toBe("# Web: work queue");
    expect(lines[2]).toBe(
      "**Sources: local index only** — no web search provider was reachable (searxng: TOOLMESH_SEARXNG_URL not set; brave: TOOLMESH_BRAVE_API_KEY not set). " +
        "To search the web, give the web pool TOOLMESH_WEB_PROVIDERS=searxng,local and TOOLMESH_SEARXNG_URL (the base URL of a SearXNG instance with the json format enabled), " +
        "or TOOLMESH_WEB_PROVIDERS=brave,local and TOOLMESH_BRAVE_API_KEY (a Brave Search API key), e.g. in the environment of toolmesh up.",
    );
    expect(markdown).toContain(
      "- Search providers over 2 searches: local: 2 answered (4 results); searxng: not configured (TOOLMESH_SEARXNG_URL not set); brave: not configured",
    );
    // Files from the local index are not listed as web sources.
    expect(markdown).toContain("## Sources (local index, not the web)");
    expect(markdown).not.toContain("## Web sources");
  });

  it("a web provider answered: no local-only line; the one that failed is still named with its reason", () => {
    const { report, markdown } = exploreWebReport([webSearch("work queue"), webSearch("work queue example")]);
    expect(report.search).toMatchObject({ searches: 2, webReached: true, localOnly: false, configure: null });
    expect(markdown).not.toContain("local index only");
    expect(markdown).toContain(
      "- Search providers over 2 searches: searxng: 2 answered (2 results); brave: 2 failed (HTTP 401 Unauthorized (check TOOLMESH_BRAVE_API_KEY))",
    );
    expect(markdown).toContain("## Web sources");
  });

  it("a search reaching the report by two paths counts once; a report without searches says nothing about them", () => {
    const search = input("search", "web.search", localOnlySearch("lease"));
    const rank = runSynthTool("synth.rank", {}, [search]);
    const correlate = runSynthTool("synth.correlate", { groupBy: "term", terms: ["lease"] }, [input("rank", "synth.rank", rank)]);
    const out = runSynthTool("synth.report", {}, [
      input("rank", "synth.rank", rank),
      input("correlate", "synth.correlate", correlate),
    ]) as unknown as { report: Report };
    expect(out.report.search?.searches).toBe(1);
    const none = runSynthTool("synth.report", {}, [
      input("g", "code.grep", { matches: [{ path: "a.ts", line: 1, column: 1, text: "x" }] }),
    ]) as unknown as {
      report: Report;
      markdown: string;
    };
    expect(none.report.search).toBeNull();
    expect(none.markdown).not.toContain("Search providers");
    expect(runSynthTool("synth.merge", {}, [input("g", "code.grep", { matches: [] })])).not.toHaveProperty("searches");
  });

  it("provider errors are text from elsewhere: Markdown in them is escaped, names with underscores are left readable", () => {
    const hostile = {
      ...localOnlySearch("x"),
      attempts: [{ provider: "searxng", web: true, outcome: "failed", code: "UNAVAILABLE", error: "HTTP 500 <b>*boom*</b> [x](y) _em_" }],
    };
    const { markdown } = exploreWebReport([hostile]);
    expect(markdown).toContain("(searxng: HTTP 500 \\<b\\>\\*boom\\*\\</b\\> \\[x\\](y) \\_em\\_)");
  });
});
