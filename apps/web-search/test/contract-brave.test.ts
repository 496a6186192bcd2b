import { ErrorCode } from "@toolmesh/core";
import { afterEach, describe, expect, it } from "vitest";
import { braveProvider, createWebTools, retryAfterMs } from "../src/tools/index.js";
import { call, failure, serve, type TestServer } from "./helpers.js";

// A stand-in for the Brave Search API: GET ?q=..&count=N with X-Subscription-Token,
// answering { web: { results: [{url,title,description}] } }, or 429 with Retry-After / X-RateLimit-*.
let server: TestServer | undefined;
afterEach(async () => server?.close());

const KEY = "test-key-123";

describe("contract: Brave Search API", () => {
  it("sends q, count and X-Subscription-Token; maps web.results and strips <strong>", async () => {
    server = await serve((req, res) => {
      if (req.headers["x-subscription-token"] !== KEY) return void res.writeHead(401).end();
      const u = new URL(req.url ?? "/", "http://x");
      const count = Number(u.searchParams.get("count"));
      const results = [
        {
          url: "https://brave.com/search/api/",
          title: "Brave Search API",
          description: "The <strong>Brave</strong> index.",
          age: "2 days",
        },
        { url: "https://example.com/b", title: "B", description: "second" },
        { url: "https://example.com/c", title: "C", description: "third" },
      ].slice(0, count);
      res
        .writeHead(200, { "content-type": "application/json" })
        .end(JSON.stringify({ type: "search", query: { original: u.searchParams.get("q") }, web: { type: "search", results } }));
    });
    const tools = createWebTools({ providers: ["brave"], braveApiKey: KEY, braveUrl: `${server.url}/res/v1/web/search` });
    const out = (await call(tools, "web.search", { query: "brave api", maxResults: 2 })) as {
      results: Array<Record<string, unknown>>;
      failures: unknown[];
    };
    await tools.close();
    const req = server.requests[0];
    expect(req?.url).toBe("/res/v1/web/search?q=brave+api&count=2");
    expect(req?.headers.accept).toBe("application/json");
    expect(out.failures).toEqual([]);
    expect(out.results.map((r) => [r.url, r.title, r.snippet, r.provider])).toEqual([
      ["https://brave.com/search/api/", "Brave Search API", "The Brave index.", "brave"],
      ["https://example.com/b", "B", "second", "brave"],
    ]);
  });

  it("429 with Retry-After: RESOURCE_EXHAUSTED, then backs off without calling the API until the time passes", async () => {
    let limited = true;
    server = await serve((_req, res) => {
      if (limited)
        return void res.writeHead(429, { "retry-after": "30", "x-ratelimit-remaining": "0, 900", "x-ratelimit-reset": "1, 86000" }).end();
      res
        .writeHead(200, { "content-type": "application/json" })
        .end(JSON.stringify({ web: { results: [{ url: "https://a.example/", title: "A", description: "" }] } }));
    });
    let clock = 1_000_000;
    const p = braveProvider(KEY, server.url, () => clock);
    const signal = new AbortController().signal;
    const first = await failure(p.search("q", 5, signal));
    expect(first.code).toBe(ErrorCode.RESOURCE_EXHAUSTED);
    expect(p.backoffUntil()).toBe(1_000_000 + 30_000);
    limited = false;
    clock += 29_000;
    const during = await failure(p.search("q", 5, signal));
    expect(during.code).toBe(ErrorCode.RESOURCE_EXHAUSTED);
    expect(server.requests).toHaveLength(1); // the back-off answered, not the API
    clock += 1_000;
    expect((await p.search("q", 5, signal)).map((r) => r.url)).toEqual(["https://a.example/"]);
    expect(server.requests).toHaveLength(2);
  });

  it("without Retry-After, the reset of the exhausted X-RateLimit window sets the back-off", () => {
    expect(retryAfterMs(new Headers({ "x-ratelimit-remaining": "0, 500", "x-ratelimit-reset": "7, 86000" }))).toBe(7000);
    expect(retryAfterMs(new Headers({ "x-ratelimit-remaining": "5, 0", "x-ratelimit-reset": "1, 86000" }))).toBe(86_000_000);
    expect(retryAfterMs(new Headers({ "retry-after": "2" }))).toBe(2000);
    expect(retryAfterMs(new Headers())).toBe(1000);
  });
});
