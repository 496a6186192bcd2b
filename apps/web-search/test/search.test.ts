import { ErrorCode } from "@toolmesh/core";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { canonicalUrl, createWebTools, type SearchProvider } from "../src/tools/index.js";
import { call, failure, serve, type TestServer } from "./helpers.js";

const json = (body: unknown) => JSON.stringify(body);
let dir: string;
const servers: TestServer[] = [];
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "web-search-"));
  await writeFile(join(dir, "failover.md"), "# Failover\n\nWhen a provider fails the others still answer the failover query.\n");
});
afterAll(async () => rm(dir, { recursive: true, force: true }));
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

async function server(handler: Parameters<typeof serve>[0]): Promise<TestServer> {
  const s = await serve(handler);
  servers.push(s);
  return s;
}

describe("web.search failover", () => {
  it("one provider 500s and one hangs past the timeout: the local index still answers, both failures listed", async () => {
    const searx = await server((_req, res) => void res.writeHead(500).end("boom"));
    const brave = await server(() => {}); // never answers
    const tools = createWebTools({
      providers: ["searxng", "brave", "local"],
      searxngUrl: searx.url,
      braveApiKey: "k",
      braveUrl: brave.url,
      localIndexDirs: [dir],
      // Long enough for the local index to answer on a busy machine; the hanging provider never does.
      providerTimeoutMs: 3000,
    });
    const started = Date.now();
    const out = (await call(tools, "web.search", { query: "failover" })) as {
      results: Array<{ title: string; provider: string }>;
      providers: string[];
      failures: Array<{ provider: string; error: string; code: string }>;
    };
    await tools.close();
    // Given up on at the provider timeout, not waited for.
    expect(Date.now() - started).toBeLessThan(20_000);
    expect(out.providers).toEqual(["searxng", "brave", "local"]);
    expect(out.results.map((r) => [r.title, r.provider])).toEqual([["Failover", "local"]]);
    expect(out.failures.map((f) => [f.provider, f.code])).toEqual([
      ["searxng", ErrorCode.UNAVAILABLE],
      ["brave", ErrorCode.DEADLINE_EXCEEDED],
    ]);
    expect(out.failures[0]?.error).toContain("HTTP 500");
    expect(out.failures[1]?.error).toContain("3000 ms");
  });

  it("every provider failing is UNAVAILABLE; every one rate limited is RESOURCE_EXHAUSTED", async () => {
    const down = await server((_req, res) => void res.writeHead(503).end());
    const limited = await server((_req, res) => void res.writeHead(429, { "retry-after": "60" }).end());
    const allDown = createWebTools({ providers: ["searxng", "brave"], searxngUrl: down.url, braveApiKey: "k", braveUrl: down.url });
    const err = await failure(call(allDown, "web.search", { query: "x" }));
    expect(err.code).toBe(ErrorCode.UNAVAILABLE);
    expect(err.retryable).toBe(true);
    expect(err.message).toMatch(/searxng: .*HTTP 503.*brave: .*HTTP 503/);
    const allLimited = createWebTools({
      providers: ["searxng", "brave"],
      searxngUrl: limited.url,
      braveApiKey: "k",
      braveUrl: limited.url,
    });
    expect((await failure(call(allLimited, "web.search", { query: "x" }))).code).toBe(ErrorCode.RESOURCE_EXHAUSTED);
    await Promise.all([allDown.close(), allLimited.close()]);
  });

  it("asking for an unknown or unconfigured provider is INVALID_ARGUMENT naming the configured ones", async () => {
    const tools = createWebTools({ providers: ["local"], localIndexDirs: [dir] });
    const err = await failure(call(tools, "web.search", { query: "x", providers: ["local", "google"] }));
    expect(err.code).toBe(ErrorCode.INVALID_ARGUMENT);
    expect(err.message).toContain("google");
    expect(err.message).toContain("configured: local");
    await tools.close();
  });

  it("a cancelled caller gets CANCELLED", async () => {
    const ac = new AbortController();
    // The caller gives up while the provider is searching.
    const hang: SearchProvider = {
      name: "hang",
      search: (_q, _n, signal) => {
        queueMicrotask(() => ac.abort());
        return new Promise((_, reject) => signal.addEventListener("abort", () => reject(signal.reason)));
      },
    };
    const tools = createWebTools({ providers: [], extraProviders: [hang] });
    const p = call(tools, "web.search", { query: "x" }, ac.signal);
    expect((await failure(p)).code).toBe(ErrorCode.CANCELLED);
    await tools.close();
  });
});

describe("cross-provider dedupe", () => {
  it("merges the same page from SearXNG and Brave by canonical URL, lists both providers and ranks it first", async () => {
    const searx = await server((_req, res) =>
      res.writeHead(200, { "content-type": "application/json" }).end(
        json({
          results: [
            { url: "https://only-searx.example/a", title: "S1", content: "s1", engine: "e", score: 1 },
            {
              url: "HTTPS://Docs.Example.com:443/guide/?utm_source=x&b=2&a=1#intro",
              title: "Guide (searx)",
              content: "g",
              engine: "e",
              score: 1,
            },
          ],
          unresponsive_engines: [],
        }),
      ),
    );
    const brave = await server((_req, res) =>
      res.writeHead(200, { "content-type": "application/json" }).end(
        json({
          web: {
            results: [
              { url: "https://docs.example.com/guide?a=1&b=2", title: "Guide (brave)", description: "g" },
              { url: "https://only-brave.example/", title: "B2", description: "b" },
            ],
          },
        }),
      ),
    );
    const tools = createWebTools({ providers: ["searxng", "brave"], searxngUrl: searx.url, braveApiKey: "k", braveUrl: brave.url });
    const out = (await call(tools, "web.search", { query: "guide" })) as { results: Array<Record<string, unknown>> };
    await tools.close();
    expect(out.results.map((r) => [r.url, r.provider, r.providers, r.rank])).toEqual([
      ["https://docs.example.com/guide?a=1&b=2", "brave", ["searxng", "brave"], 1],
      ["https://only-searx.example/a", "searxng", ["searxng"], 2],
      ["https://only-brave.example/", "brave", ["brave"], 3],
    ]);
    expect(out.results[0]?.score).toBeCloseTo(1 / 62 + 1 / 61, 6);
  });

  it("canonicalUrl folds case, default port, fragment, trailing slash and utm_* only", () => {
    expect(canonicalUrl("HTTP://Example.COM:80/a/b/?utm_medium=m&x=1#frag")).toBe("http://example.com/a/b?x=1");
    expect(canonicalUrl("https://example.com/")).toBe("https://example.com");
    expect(canonicalUrl("https://example.com:8443/Path")).toBe("https://example.com:8443/Path");
    expect(canonicalUrl("https://example.com/?q=1")).toBe(canonicalUrl("https://example.com?q=1"));
    expect(canonicalUrl("https://example.com/a?ref=1")).not.toBe(canonicalUrl("https://example.com/a"));
  });
});
