import { FanInMode } from "@toolmesh/proto";
import { exploreWeb, searchQueries } from "@toolmesh/templates";
import { describe, expect, it } from "vitest";
import { byId, expectWellFormed, tasksOf, thrown } from "./spec-checks.js";

describe("explore-web", () => {
  it("builds a well-formed acyclic graph with every stage", () => {
    const spec = exploreWeb({ queries: ["nats jetstream work queue", "pull consumer"] });
    expectWellFormed(spec);
    expect(spec.name).toBe("explore-web");
    expect(new Set(spec.tasks.map((t) => t.stage))).toEqual(new Set(["search", "rank", "fetch", "dedupe", "report"]));
  });

  it("searches every query and its variants in parallel", () => {
    const spec = exploreWeb({ queries: ["jetstream work queue", "otel"] });
    const searches = tasksOf(spec, "web.search");
    expect(searches.map((t) => t.args!.query)).toEqual([
      "jetstream work queue",
      '"jetstream work queue"',
      "jetstream work queue documentation",
      "jetstream work queue example",
      "otel",
      "otel documentation",
      "otel example",
    ]);
    for (const s of searches) expect(s.dependsOn).toEqual([]);
  });

  it("searches the queries alone without variants, once each", () => {
    expect(searchQueries(["a b", "A B", "c"], false)).toEqual(["a b", "c"]);
    const spec = exploreWeb({ queries: ["x y"], variants: false });
    expect(tasksOf(spec, "web.search").map((t) => t.args!.query)).toEqual(["x y"]);
  });

  it("merges, dedupes and ranks by the first query, then fetches at most maxFetch pages under a deadline", () => {
    const spec = exploreWeb({ queries: ["first query", "second"], maxFetch: 4, fetchDeadlineMs: 5000 });
    const t = byId(spec);
    expect(t.get("results")!.dependsOn.sort()).toEqual(
      tasksOf(spec, "web.search")
        .map((s) => s.id)
        .sort(),
    );
    expect(t.get("results")!.fanIn?.mode).toBe(FanInMode.FAN_IN_MODE_ALL_SETTLED);
    expect(t.get("results-unique")!.tool).toBe("synth.dedupe");
    expect(t.get("ranked")!.args!.query).toBe("first query");
    const fetch = t.get("fetch")!;
    expect(fetch.forEach).toEqual({ from: "ranked", items: "records[].url", maxItems: 4, match: "^https?://" });
    expect(fetch.args!.url).toBe("{{item}}");
    expect(fetch.fanIn).toEqual({ mode: FanInMode.FAN_IN_MODE_DEADLINE, quorum: 0, deadlineMs: 5000 });
    expect(fetch.args!.timeoutMs).toBeLessThanOrEqual(5000);
    const pages = t.get("pages")!;
    expect(pages).toMatchObject({ tool: "synth.dedupe", dependsOn: ["fetch"] });
    expect(pages.args!.similarity).toBeLessThan(1);
    const direct = spec.tasks.filter((x) => !x.forEach).length;
    expect(spec.limits?.maxCalls).toBe(direct + 4);
  });

  it("reports over the ranked results and the deduplicated pages", () => {
    const spec = exploreWeb({ queries: ["q1", "q2"] });
    const report = byId(spec).get("report")!;
    expect(report.tool).toBe("synth.report");
    expect(report.dependsOn.sort()).toEqual(["pages", "ranked"]);
    expect(report.args!.question).toContain("q1");
    expect(report.args!.question).toContain("q2");
  });

  it("rejects bad parameters with INVALID_ARGUMENT saying what to fix", () => {
    const missing = thrown(() => exploreWeb({}));
    expect(missing.code).toBe("INVALID_ARGUMENT");
    expect(missing.message).toContain("queries is required");
    expect(thrown(() => exploreWeb({ queries: [] })).message).toContain("at least one query");
    expect(thrown(() => exploreWeb({ queries: Array.from({ length: 17 }, (_, i) => `q${i}`) })).message).toContain("at most 16 queries");
    expect(thrown(() => exploreWeb({ queries: ["  "] })).message).toContain("params.queries.0");
    expect(thrown(() => exploreWeb({ queries: ["x".repeat(481)] })).message).toContain("at most 480 characters");
    expect(thrown(() => exploreWeb({ queries: ["x"], maxFetch: 0 })).message).toContain("params.maxFetch");
  });
});
