import { correlate, rank } from "@toolmesh/synthesis";
import { describe, expect, it } from "vitest";
import { code } from "./code-outputs.js";
import { agentOutput, errorsPage, input, searchOutput, unrelatedPage } from "./fixtures.js";

describe("synth.rank", () => {
  it("puts the record relevant to the query first, with a rankScore", () => {
    const inputs = [
      input("grep", "code.grep", code.grepTodo),
      input("cook", "web.fetch", unrelatedPage),
      input("err", "web.fetch", errorsPage),
    ];
    const out = rank(inputs, { query: "retried with exponential backoff", limit: 3 });
    expect(out.query).toBe("retried with exponential backoff");
    expect(out.records).toHaveLength(3);
    expect(out.records[0]?.key).toBe("https://docs.example.com/errors");
    expect(out.records[0]?.rankScore).toBe(1);
    expect(out.records[1]?.rankScore).toBe(0);
    expect(rank(inputs, { query: "boiling pasta", limit: 1 }).records[0]?.key).toBe("https://blog.example.org/cooking");
    // A short line that is all about the query beats a long page that mentions it once.
    expect(rank(inputs, { query: "gRPC status", limit: 1 }).records[0]?.key).toBe("libs/core/src/errors.ts:2");
  });

  it("without a query, agreement between sources and own scores decide; ties break by key", () => {
    const grep = (source: string, paths: string[]) =>
      input(source, "code.grep", { matches: paths.map((path) => ({ path, line: 1, column: 1, text: "x" })) });
    const out = rank([grep("a", ["z.ts", "m.ts", "b.ts"]), grep("b", ["m.ts"])], { limit: 10 });
    expect(out.records.map((r) => r.key)).toEqual(["m.ts:1", "b.ts:1", "z.ts:1"]);
    const web = rank([input("s", "web.search", searchOutput)], { limit: 10 });
    expect(web.records.map((r) => r.title)).toEqual(["Error codes", "Cooking pasta"]);
  });

  it("a split identifier matches its words", () => {
    const out = rank([input("a", "code.analyze", code.analyze)], { query: "tool error", limit: 1 });
    expect(out.records[0]).toMatchObject({ kind: "symbol", title: "ToolError" });
  });
});

describe("synth.correlate", () => {
  const inputs = () => [
    input("grep-todo", "code.grep", code.grepTodo),
    input("analyze", "code.analyze", code.analyze),
    input("docs[0]", "web.fetch", errorsPage),
    input("search", "web.search", searchOutput),
    input("agent", "agent.run", agentOutput),
  ];

  it("groups by path and cross-links a file named by a web page and matched by grep", () => {
    const out = correlate(inputs(), { groupBy: "path", limit: 100 });
    const group = out.groups.find((g) => g.key === "libs/core/src/errors.ts");
    expect(group).toMatchObject({ kinds: ["file", "match", "page", "symbol"], families: ["code", "web"], mentions: 1 });
    // The search result for the page's URL merged into the page, so "search" is a source too.
    expect(group?.sources).toEqual(["analyze", "docs[0]", "grep-todo", "search"]);
    expect(out.crossLinked[0]).toMatchObject({ key: "libs/core/src/errors.ts", families: ["code", "web"] });
    // The agent names a file no code input has: not a group of its own.
    expect(out.groups.map((g) => g.key)).not.toContain("apps/coordinator/src/grpc/status.ts");
    expect(out.crossLinked.map((c) => c.key)).toEqual(["libs/core/src/errors.ts"]);
  });

  it("groups by url and by host, counting URLs written in text", () => {
    const mention = input("notes", "test.echo", { value: "see https://docs.example.com/errors#codes and https://docs.example.com/other" });
    const byUrl = correlate([...inputs(), mention], { groupBy: "url", limit: 10 });
    expect(byUrl.groups[0]).toMatchObject({ key: "https://docs.example.com/errors", count: 2, mentions: 1, families: ["text", "web"] });
    const byHost = correlate([...inputs(), mention], { groupBy: "host", limit: 10 });
    expect(byHost.groups.map((g) => [g.key, g.count])).toEqual([
      ["docs.example.com", 2],
      ["blog.example.org", 1],
    ]);
  });

  it("groups by the terms given, else the query's words", () => {
    const out = correlate(inputs(), { groupBy: "term", terms: ["grpc", "pasta"], limit: 10 });
    expect(out.terms).toEqual(["grpc", "pasta"]);
    const grpc = out.groups.find((g) => g.key === "grpc");
    expect(grpc?.families).toEqual(["agent", "code", "web"]);
    expect(out.crossLinked.map((c) => c.key)).toEqual(["grpc"]);
    expect(out.groups.find((g) => g.key === "pasta")).toMatchObject({ count: 1, kinds: ["search-result"] });
    expect(correlate(inputs(), { groupBy: "term", query: "shutdown", limit: 10 }).groups.map((g) => [g.key, g.count])).toEqual([
      ["shutdown", 1],
    ]);
  });
});
