import { Bm25Index, bestPassage } from "@toolmesh/text";
import { describe, expect, it } from "vitest";

const docs = [
  "NATS worker pools. Each worker pool subscribes to a queue group, so NATS balances tool calls across workers.",
  "The coordinator speaks gRPC to clients and maps error codes. NATS is mentioned once.",
  "The fetch cache keeps responses for a TTL.",
];

describe("Bm25Index", () => {
  it("scores each text in order, the one about the query highest, unrelated ones 0", () => {
    const index = new Bm25Index(docs);
    expect(index.size).toBe(3);
    const [pools, grpc, cache] = index.scores("NATS queue group workers");
    expect(pools).toBeGreaterThan(grpc ?? 0);
    expect(grpc).toBeGreaterThan(0);
    expect(cache).toBe(0);
  });

  it("a query of stop words, or an empty index, scores nothing", () => {
    expect(new Bm25Index(docs).scores("the and of")).toEqual([0, 0, 0]);
    expect(new Bm25Index([]).scores("nats")).toEqual([]);
  });

  it("a short text all about a term beats a long one that mentions it once", () => {
    const long = `gRPC status ${"filler words about cooking pasta and boiling water ".repeat(20)}`;
    const [short, longer] = new Bm25Index(["gRPC status codes", long, "unrelated"]).scores("grpc status");
    expect(short).toBeGreaterThan(longer ?? 0);
  });

  it("matches plurals and identifier parts", () => {
    const [tool, other] = new Bm25Index(["class ToolError extends Error", "a page about statuses"]).scores("tool errors");
    expect(tool).toBeGreaterThan(0);
    expect(other).toBe(0);
    expect(new Bm25Index(["a page about statuses"]).scores("status")[0]).toBeGreaterThan(0);
  });

  it("a repeated query term counts once", () => {
    const index = new Bm25Index(docs);
    expect(index.scores("cache cache cache")).toEqual(index.scores("cache"));
  });
});

describe("bestPassage", () => {
  it("returns a short text whole, whitespace flattened", () => {
    expect(bestPassage("  a\n short   text ", "short")).toBe("a short text");
  });

  it("picks the window with the most distinct terms, opening at a word boundary, with ellipses where cut", () => {
    const text = `${"lorem ipsum dolor sit amet ".repeat(30)}the queue group balances workers ${"consectetur adipiscing elit ".repeat(30)}`;
    const snippet = bestPassage(text, "queue group workers", 100);
    expect(snippet).toContain("queue group balances workers");
    expect(snippet.startsWith("…")).toBe(true);
    expect(snippet.endsWith("…")).toBe(true);
    expect(snippet.length).toBeLessThanOrEqual(102);
  });
});
