import { FanInMode } from "@toolmesh/proto";
import { STRUCTURE_GREPS, exploreCodebase } from "@toolmesh/templates";
import { describe, expect, it } from "vitest";
import { byId, expectWellFormed, tasksOf, thrown } from "./spec-checks.js";

describe("explore-codebase", () => {
  it("builds a well-formed acyclic graph with every stage", () => {
    const spec = exploreCodebase({ question: "where is the rate limiter configured" });
    expectWellFormed(spec);
    expect(spec.name).toBe("explore-codebase");
    expect(new Set(spec.tasks.map((t) => t.stage))).toEqual(new Set(["discover", "analyse", "search", "rank", "read", "report"]));
  });

  it("globs per language family in parallel and analyses every file found through one capped fan-out", () => {
    const spec = exploreCodebase({ path: "apps", maxFiles: 77 });
    const globs = tasksOf(spec, "code.glob");
    expect(globs.length).toBeGreaterThanOrEqual(5);
    for (const g of globs) {
      expect(g.dependsOn).toEqual([]);
      expect(g.args).toMatchObject({ path: "apps" });
      if (g.id !== "glob-meta") expect(g.args!.maxResults, g.id).toBe(77);
    }
    const analyze = byId(spec).get("analyze")!;
    expect(analyze.tool).toBe("code.analyze");
    expect(analyze.forEach).toEqual({ from: "files", items: "records[].path", maxItems: 77, match: "" });
    expect(analyze.args).toMatchObject({ path: "{{item}}" });
    expect(analyze.fanIn?.mode).toBe(FanInMode.FAN_IN_MODE_ALL_SETTLED);
    const files = byId(spec).get("files")!;
    expect(files.tool).toBe("synth.merge");
    // Source globs feed the analysis; the docs/manifests glob does not.
    expect(files.dependsOn.sort()).toEqual(
      globs
        .filter((g) => g.id !== "glob-meta")
        .map((g) => g.id)
        .sort(),
    );
  });

  it("greps the question's meaningful words literally and ignoring case", () => {
    const spec = exploreCodebase({ question: 'Where is the "rate limit" handled for createLogger?' });
    const patterns = tasksOf(spec, "code.grep")
      .filter((t) => t.args!.literal === true)
      .map((t) => t.args!);
    expect(patterns.map((a) => a.pattern)).toEqual(["rate limit", "createLogger"]);
    for (const a of patterns) expect(a.ignoreCase).toBe(true);
    const ranked = byId(spec).get("ranked")!;
    expect(ranked.args!.query).toBe('Where is the "rate limit" handled for createLogger?');
  });

  it("greps for structure whatever the question, with patterns that find what they name", () => {
    const spec = exploreCodebase({});
    const greps = new Map(tasksOf(spec, "code.grep").map((t) => [t.id, String(t.args!.pattern)]));
    expect([...greps.keys()].sort()).toEqual(["grep-entry", "grep-exports", "grep-tests", "grep-todo"]);
    const matches = (name: keyof typeof STRUCTURE_GREPS, line: string) => new RegExp(greps.get(`grep-${name}`)!).test(line);
    expect(matches("entry", "export default function handler() {")).toBe(true);
    expect(matches("entry", "server.listen(8080);")).toBe(true);
    expect(matches("entry", "func main() {")).toBe(true);
    expect(matches("entry", '  "bin": { "toolmesh": "bin/toolmesh.js" },')).toBe(true);
    expect(matches("entry", "const x = 1;")).toBe(false);
    expect(matches("exports", "export function runMain() {}")).toBe(true);
    expect(matches("exports", "const exported = 1;")).toBe(false);
    expect(matches("todo", "// TODO: retry")).toBe(true);
    expect(matches("todo", "# FIXME later")).toBe(true);
    expect(matches("todo", "const todos = []")).toBe(false);
    expect(matches("tests", 'describe("pool", () => {')).toBe(true);
    expect(matches("tests", '  it("acks", async () => {')).toBe(true);
    expect(matches("tests", "submit(spec)")).toBe(false);
  });

  it("ranks the merged, deduplicated greps and reads at most maxReads top hits from their matched lines", () => {
    const spec = exploreCodebase({ question: "auth", maxReads: 5 });
    const tasks = byId(spec);
    const greps = tasksOf(spec, "code.grep").map((t) => t.id);
    expect(tasks.get("hits")!.dependsOn.sort()).toEqual(greps.sort());
    expect(tasks.get("hits-unique")!.dependsOn).toEqual(["hits"]);
    expect(tasks.get("ranked")!.dependsOn).toEqual(["hits-unique"]);
    const read = tasks.get("read")!;
    expect(read.forEach).toEqual({ from: "ranked", items: "records", maxItems: 5, match: "" });
    expect(read.args).toMatchObject({ path: "{{item.path}}", startLine: "{{item.line}}" });
  });

  it("ends in one report that depends on every other task and tolerates failed branches", () => {
    const spec = exploreCodebase({ question: "queues", path: "libs" });
    const report = byId(spec).get("report")!;
    expect(report.tool).toBe("synth.report");
    expect(report.args).toMatchObject({ question: "queues", title: "Codebase: libs" });
    expect(report.dependsOn.sort()).toEqual(
      spec.tasks
        .filter((t) => t.id !== "report")
        .map((t) => t.id)
        .sort(),
    );
    expect(report.fanIn?.mode).toBe(FanInMode.FAN_IN_MODE_ALL_SETTLED);
  });

  it("passes root to every codebase call and caps the workflow's calls at what the graph can make", () => {
    const spec = exploreCodebase({ root: "repo", maxFiles: 10, maxReads: 3 });
    for (const t of spec.tasks.filter((t) => t.tool.startsWith("code."))) expect(t.args!.root, t.id).toBe("repo");
    const direct = spec.tasks.filter((t) => !t.forEach).length;
    expect(spec.limits?.maxCalls).toBe(direct + 10 + 3);
  });

  it("rejects bad parameters with INVALID_ARGUMENT saying what to fix", () => {
    const zero = thrown(() => exploreCodebase({ maxFiles: 0 }));
    expect(zero.code).toBe("INVALID_ARGUMENT");
    expect(zero.message).toContain("params.maxFiles");
    expect(zero.message).toContain("at least 1");
    expect(thrown(() => exploreCodebase({ maxReads: 2.5 })).message).toContain("params.maxReads");
    expect(thrown(() => exploreCodebase({ maxFiles: "lots" })).message).toMatch(/params\.maxFiles: Expected number, received string/);
    expect(thrown(() => exploreCodebase({ path: "" })).message).toContain('use "." for the whole root');
    expect(thrown(() => exploreCodebase({ questoin: "typo" })).message).toMatch(/Unrecognized key.*questoin/);
    expect(thrown(() => exploreCodebase([1, 2])).code).toBe("INVALID_ARGUMENT");
  });
});
