import { dedupe, merge, runSynthTool, type SynthInput } from "@toolmesh/synthesis";
import { describe, expect, it } from "vitest";
import { errorsPage, input, mirrorPage, searchOutput, unrelatedPage } from "./fixtures.js";

const match = (path: string, line: number, text: string) => ({ path, line, column: 1, text });

describe("synth.merge", () => {
  it("one record per key, sources and tools unioned, counted by source", () => {
    const out = merge(
      [
        input("grep-a", "code.grep", {
          root: "repo",
          engine: "builtin",
          matches: [match("a.ts", 1, "x"), match("b.ts", 2, "y")],
          count: 2,
          truncated: false,
        }),
        input("grep-b", "code.grep", { root: "repo", engine: "ripgrep", matches: [match("a.ts", 1, "x")], count: 1, truncated: false }),
      ],
      { limit: 10 },
    );
    expect(out.count).toBe(2);
    expect(out.records[0]).toMatchObject({ key: "a.ts:1", sources: ["grep-a", "grep-b"], tools: ["code.grep"] });
    expect(out.bySource).toEqual({ "grep-a": 2, "grep-b": 1 });
    expect(merge([input("g", "code.grep", { matches: [match("a.ts", 1, "x"), match("a.ts", 2, "y")] })], { limit: 1 })).toMatchObject({
      count: 1,
      truncated: true,
    });
  });

  it("a page and the search result for the same URL merge into the page, keeping the search score", () => {
    const out = merge([input("search", "web.search", searchOutput), input("fetch[0]", "web.fetch", errorsPage)], { limit: 10 });
    const page = out.records.find((r) => r.key === "https://docs.example.com/errors");
    expect(page).toMatchObject({ kind: "page", score: 0.032787, sources: ["fetch[0]", "search"], tools: ["web.fetch", "web.search"] });
    expect(page?.text).toContain("exponential backoff");
    expect(out.count).toBe(2);
  });
});

describe("synth.dedupe", () => {
  const pages: SynthInput[] = [
    input("fetch[0]", "web.fetch", errorsPage),
    input("fetch[1]", "web.fetch", mirrorPage),
    input("fetch[2]", "web.fetch", unrelatedPage),
  ];

  it("removes the near-duplicate mirror page but keeps the distinct one, merging sources", () => {
    const out = dedupe(pages, { similarity: 0.85, limit: 100 });
    expect(out.removed).toEqual({ byKey: 0, bySimilarity: 1 });
    expect(out.records.map((r) => r.key)).toEqual(["https://mirror.example.net/toolmesh/errors", "https://blog.example.org/cooking"]);
    // The mirror's text is longer (one word added), so it is the one kept; both sources stay.
    expect(out.records[0]?.sources).toEqual(["fetch[0]", "fetch[1]"]);
  });

  it("similarity 1 turns content dedupe off", () => {
    expect(dedupe(pages, { similarity: 1, limit: 100 }).removed).toEqual({ byKey: 0, bySimilarity: 0 });
  });

  it("keeps the higher-scored of two near-identical records", () => {
    const snippet = "Every tool error carries a gRPC code name such as NOT_FOUND or UNAVAILABLE, mapped in one place.";
    const results = (url: string, score: number) => ({
      query: "q",
      results: [{ url, title: "Errors", snippet, provider: "local", providers: ["local"], rank: 1, score }],
    });
    const out = dedupe(
      [input("s1", "web.search", results("https://a.example/x", 0.01)), input("s2", "web.search", results("https://b.example/x", 0.03))],
      { similarity: 0.85, limit: 10 },
    );
    expect(out.records).toHaveLength(1);
    expect(out.records[0]).toMatchObject({ key: "https://b.example/x", score: 0.03, sources: ["s1", "s2"] });
  });

  it("dedupes by key, merging sources; identical lines at two locations stay two findings", () => {
    const grep = (source: string) =>
      input(source, "code.grep", { matches: [match("a.ts", 1, "// TODO: fix"), match("b.ts", 9, "// TODO: fix")] });
    const out = dedupe([grep("g1"), grep("g2")], { similarity: 0.85, limit: 10 });
    expect(out.removed).toEqual({ byKey: 2, bySimilarity: 0 });
    expect(out.records.map((r) => [r.key, r.sources])).toEqual([
      ["a.ts:1", ["g1", "g2"]],
      ["b.ts:9", ["g1", "g2"]],
    ]);
  });

  it("dedupes by the fields given in args.key (here: the URL's host)", () => {
    const out = runSynthTool("synth.dedupe", { key: ["host"], similarity: 1 }, [
      input("search", "web.search", searchOutput),
      input("f", "web.fetch", unrelatedPage),
    ]);
    expect(out.removed).toEqual({ byKey: 1, bySimilarity: 0 });
    expect((out.records as Array<{ key: string }>).map((r) => r.key)).toEqual([
      "https://docs.example.com/errors",
      "https://blog.example.org/cooking",
    ]);
  });

  it("10k records: every near-duplicate found, every distinct record kept", () => {
    let seed = 42;
    const random = () => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32;
    const vocabulary = Array.from({ length: 5000 }, (_, i) => `w${i.toString(36)}${Math.floor(random() * 1e6).toString(36)}`);
    const sentence = () => Array.from({ length: 30 }, () => vocabulary[Math.floor(random() * vocabulary.length)]).join(" ");
    const results = [];
    for (let i = 0; i < 5000; i++) {
      const text = sentence();
      results.push({
        url: `https://site.example/a/${i}`,
        title: `doc ${i}`,
        snippet: text,
        provider: "local",
        providers: ["local"],
        rank: 1,
        score: 0.02,
      });
      // The copy differs in its last word: 27 of 29 shingles shared (Jaccard 0.93).
      results.push({
        url: `https://copy.example/a/${i}`,
        title: `doc ${i}`,
        snippet: `${text.slice(0, text.lastIndexOf(" "))} changed`,
        provider: "local",
        providers: ["local"],
        rank: 2,
        score: 0.01,
      });
    }
    const out = dedupe([input("big", "web.search", { query: "q", results, providers: ["local"], failures: [] })], {
      similarity: 0.85,
      limit: 100_000,
    });
    expect(out.removed.bySimilarity).toBe(5000);
    expect(out.count).toBe(5000);
    expect(out.records.every((r) => r.key.startsWith("https://site.example/"))).toBe(true);
  });
});
