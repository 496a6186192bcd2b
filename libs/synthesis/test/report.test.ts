import { report, runSynthTool, type Report } from "@toolmesh/synthesis";
import { describe, expect, it } from "vitest";
import { code } from "./code-outputs.js";
import { agentOutput, bashOutput, errorsPage, input, mirrorPage, searchOutput } from "./fixtures.js";

const allInputs = () => [
  input("grep-todo", "code.grep", code.grepTodo),
  input("grep-imports", "code.grep", code.grepImports),
  input("analyze", "code.analyze", code.analyze),
  input("docs[0]", "web.fetch", errorsPage),
  input("docs[1]", "web.fetch", mirrorPage),
  input("search", "web.search", searchOutput),
  input("sh", "bash.exec", bashOutput, "git diff --stat"),
  input("agent", "agent.run", agentOutput),
  input("broken", "code.grep", "not an object" as never),
];

describe("synth.report", () => {
  it("builds the structured report from every kind of input", () => {
    const { report: r } = report(allInputs(), { title: "Errors", question: "Where are gRPC status codes mapped?", maxItems: 5 });
    expect(r.totals).toMatchObject({ inputs: 9, skipped: 1, duplicates: 1 });
    expect(r.totals.byKind).toMatchObject({ match: 6, file: 6, page: 2, "search-result": 1, command: 1, agent: 1 });
    // Symbols: ToolError, ErrorCode, main, serve and the two Markdown headings.
    expect(r.code).toMatchObject({ files: 6, lines: 17, symbols: 6 });
    expect(r.code?.languages).toEqual([
      { language: "TypeScript", files: 4, lines: 13 },
      { language: "Markdown", files: 2, lines: 4 },
    ]);
    expect(r.code?.largestFiles[0]).toMatchObject({ path: "apps/api/src/main.ts", lines: 8, language: "TypeScript" });
    expect(r.hotspots[0]).toEqual({ path: "apps/api/src/main.ts", matches: 5, markers: 3 });
    expect(r.modules).toEqual([
      { module: "apps/api", files: 2, lines: 9 },
      { module: "libs/core", files: 2, lines: 4 },
      { module: "(root)", files: 1, lines: 2 },
      { module: "docs", files: 1, lines: 2 },
    ]);
    expect(r.moduleEdges).toEqual([{ from: "apps/api", to: "libs/core", imports: 1 }]);
    expect(r.crossLinked.map((c) => c.key)).toContain("libs/core/src/errors.ts");
    // The mirror is a near-duplicate of the docs page, which has a search score: one web source per article.
    expect(r.web.map((w) => w.url)).toEqual(["https://docs.example.com/errors", "https://blog.example.org/cooking"]);
    expect(r.web[0]?.title).toBe("Error codes — toolmesh docs");
    expect(r.commands).toEqual([
      { source: "sh", title: "git diff --stat (exit 0)", exitCode: 0, output: expect.stringContaining("3 files changed") },
    ]);
    expect(r.answers[0]?.answer).toBe(agentOutput.answer);
    expect(r.top).toHaveLength(5);
  });

  it("Markdown cites path:line, links URLs with titles and stays within maxItems", () => {
    const { markdown } = report(allInputs(), { title: "Errors", question: "Where are gRPC status codes mapped?", maxItems: 2 });
    expect(markdown).toMatch(/^# Errors\n/);
    expect(markdown).toContain("**Question:** Where are gRPC status codes mapped?");
    expect(markdown).toContain("`libs/core/src/errors.ts:2`");
    expect(markdown).toContain("- [Error codes — toolmesh docs](https://docs.example.com/errors) — ");
    expect(markdown).toContain("`apps/api` → `libs/core` (1 import)");
    expect(markdown).toContain("3 files changed");
    expect(markdown).toContain(agentOutput.answer);
    const topMatches = markdown.split("## Top matches")[1]?.split("\n## ")[0] ?? "";
    expect(topMatches.match(/^- /gm)).toHaveLength(2);
  });

  it("says when module connections cannot be derived", () => {
    const { report: r, markdown } = report([input("analyze", "code.analyze", code.analyze)], { title: "T", maxItems: 10 });
    expect(r.moduleEdges).toEqual([]);
    expect(markdown).toContain("How they connect: not derivable");
    expect(r.question).toBeNull();
    expect(r.web).toEqual([]);
  });

  it("chains: merge → dedupe → rank → correlate → report through runSynthTool", () => {
    const merged = runSynthTool("synth.merge", {}, allInputs());
    expect(merged).toMatchObject({ skipped: 1 });
    const deduped = runSynthTool("synth.dedupe", {}, [input("merge", "synth.merge", merged)]);
    expect(deduped.removed).toEqual({ byKey: 0, bySimilarity: 1 });
    const ranked = runSynthTool("synth.rank", { query: "exponential backoff" }, [input("dedupe", "synth.dedupe", deduped)]);
    expect((ranked.records as Array<{ key: string; sources: string[] }>)[0]).toMatchObject({
      key: "https://docs.example.com/errors",
      sources: ["docs[0]", "docs[1]", "search"],
    });
    const correlated = runSynthTool("synth.correlate", {}, [input("rank", "synth.rank", ranked)]);
    expect(correlated.groups).toEqual(expect.arrayContaining([expect.objectContaining({ key: "apps/api/src/main.ts" })]));
    const out = runSynthTool("synth.report", { title: "Chained" }, [
      input("rank", "synth.rank", ranked),
      input("correlate", "synth.correlate", correlated),
    ]);
    const r = out.report as Report;
    expect(r.totals.skipped).toBe(0);
    // Records keep the sources of the tool outputs they came from, not the synth tasks'.
    expect(r.totals.bySource).not.toHaveProperty("rank");
    expect(out.markdown).toContain("(https://docs.example.com/errors)");
    expect(out.markdown).toContain("`libs/core/src/errors.ts:2`");
  });
});
