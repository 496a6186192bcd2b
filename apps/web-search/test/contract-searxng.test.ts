import { ErrorCode } from "@toolmesh/core";
import { afterEach, describe, expect, it } from "vitest";
import { createWebTools, searxngProvider } from "../src/tools/index.js";
import { call, failure, serve, type TestServer } from "./helpers.js";

// A stand-in for a SearXNG instance: GET /search?q=..&format=json answered in
// the documented JSON shape (results[{url,title,content,engine,score}], unresponsive_engines[[name, reason]]).
let server: TestServer | undefined;
afterEach(async () => server?.close());

const RESULTS = [
  {
    url: "https://nats.io/docs/",
    title: "NATS Docs",
    content: "Queue groups balance messages.",
    engine: "duckduckgo",
    score: 4.2,
    category: "general",
  },
  { url: "https://example.org/queue", title: "Queue groups", content: "A tutorial.", engine: "bing", score: 1.5 },
];

describe("contract: SearXNG JSON API", () => {
  it("sends q and format=json to {base}/search and normalises results", async () => {
    server = await serve((req, res) => {
      const u = new URL(req.url ?? "/", "http://x");
      if (u.pathname !== "/searx/search" || u.searchParams.get("format") !== "json") return void res.writeHead(404).end();
      res.writeHead(200, { "content-type": "application/json" }).end(
        JSON.stringify({
          query: u.searchParams.get("q"),
          number_of_results: 2,
          results: RESULTS,
          answers: [],
          suggestions: [],
          unresponsive_engines: [["google", "timeout"]],
        }),
      );
    });
    const tools = createWebTools({ providers: ["searxng"], searxngUrl: `${server.url}/searx` });
    const out = await call(tools, "web.search", { query: "nats queue groups", maxResults: 5 });
    await tools.close();
    const req = new URL(server.requests[0]?.url ?? "", "http://x");
    expect(req.searchParams.get("q")).toBe("nats queue groups");
    expect(server.requests[0]?.headers.accept).toContain("application/json");
    expect(out).toEqual({
      query: "nats queue groups",
      providers: ["searxng"],
      failures: [],
      attempts: [
        { provider: "searxng", web: true, outcome: "ok", results: 2 },
        { provider: "brave", web: true, outcome: "not configured", error: "TOOLMESH_BRAVE_API_KEY not set" },
      ],
      webReached: true,
      results: [
        {
          url: "https://nats.io/docs/",
          title: "NATS Docs",
          snippet: "Queue groups balance messages.",
          provider: "searxng",
          providers: ["searxng"],
          rank: 1,
          score: Number((1 / 61).toFixed(6)),
        },
        {
          url: "https://example.org/queue",
          title: "Queue groups",
          snippet: "A tutorial.",
          provider: "searxng",
          providers: ["searxng"],
          rank: 2,
          score: Number((1 / 62).toFixed(6)),
        },
      ],
    });
  });

  it("no results with every engine unresponsive is a failure; JSON format disabled (403) is UNAVAILABLE", async () => {
    let mode: "dead" | "forbidden" = "dead";
    server = await serve((_req, res) => {
      if (mode === "forbidden") return void res.writeHead(403).end("Forbidden");
      res.writeHead(200, { "content-type": "application/json" }).end(
        JSON.stringify({
          results: [],
          unresponsive_engines: [
            ["google", "CAPTCHA"],
            ["bing", "timeout"],
          ],
        }),
      );
    });
    const p = searxngProvider(server.url);
    const signal = new AbortController().signal;
    const dead = await failure(p.search("x", 5, signal));
    expect(dead.code).toBe(ErrorCode.UNAVAILABLE);
    expect(dead.message).toContain("google: CAPTCHA");
    mode = "forbidden";
    const forbidden = await failure(p.search("x", 5, signal));
    expect(forbidden.code).toBe(ErrorCode.UNAVAILABLE);
    expect(forbidden.message).toContain("HTTP 403");
  });
});
