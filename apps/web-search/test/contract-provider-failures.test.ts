import { ErrorCode } from "@toolmesh/core";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { CONFIGURE_WEB_SEARCH, createWebTools, parseWebConfig, type ProviderAttempt, type WebTools } from "../src/tools/index.js";
import { call, failure, refusingPort, serve, type TestServer } from "./helpers.js";

// Real local HTTP servers standing in for the providers when they fail: a port
// that refuses connections, a server speaking SearXNG's JSON API
// (GET /search?q=..&format=json) that answers 500 or 401, one speaking Brave's
// API that answers 401. The local index is the offline fallback: it answers,
// and web.search says that nothing came from the web, why, and how to fix it.

interface SearchOutput {
  results: Array<{ provider: string }>;
  attempts: ProviderAttempt[];
  webReached: boolean;
  configure?: string;
}

let dir: string;
const servers: TestServer[] = [];
const tools: WebTools[] = [];
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "web-search-offline-"));
  await writeFile(join(dir, "queues.md"), "# Work queues\n\nEach pool has a JetStream work queue.\n");
});
afterAll(async () => rm(dir, { recursive: true, force: true }));
afterEach(async () => {
  await Promise.all([...servers.splice(0).map((s) => s.close()), ...tools.splice(0).map((t) => t.close())]);
});

async function server(handler: Parameters<typeof serve>[0]): Promise<TestServer> {
  const s = await serve(handler);
  servers.push(s);
  return s;
}

/** The web pool as configured by `env` (plus the local index), asked one query. */
async function search(env: Record<string, string>, args: Record<string, unknown> = {}): Promise<SearchOutput> {
  const t = createWebTools({ ...parseWebConfig({ TOOLMESH_LOCAL_INDEX_DIRS: dir, ...env }), providerTimeoutMs: 5000 });
  tools.push(t);
  return (await call(t, "web.search", { query: "work queue", ...args })) as unknown as SearchOutput;
}

const byProvider = (out: SearchOutput) => Object.fromEntries(out.attempts.map((a) => [a.provider, a]));

describe("contract: web.search says which providers were tried and why each failed", () => {
  it("default configuration (local only): the local index answers; searxng and brave are reported as not configured, with how to configure one", async () => {
    const out = await search({});
    expect(out.results.map((r) => r.provider)).toEqual(["local"]);
    expect(out.attempts).toEqual([
      { provider: "local", web: false, outcome: "ok", results: 1 },
      { provider: "searxng", web: true, outcome: "not configured", error: "TOOLMESH_SEARXNG_URL not set" },
      { provider: "brave", web: true, outcome: "not configured", error: "TOOLMESH_BRAVE_API_KEY not set" },
    ]);
    expect(out.webReached).toBe(false);
    expect(out.configure).toBe(CONFIGURE_WEB_SEARCH);
    expect(out.configure).toMatch(
      /TOOLMESH_WEB_PROVIDERS=searxng,local and TOOLMESH_SEARXNG_URL .*TOOLMESH_WEB_PROVIDERS=brave,local and TOOLMESH_BRAVE_API_KEY/,
    );
  });

  it("SearXNG on a port that refuses: connect ECONNREFUSED with the address", async () => {
    const port = await refusingPort();
    const out = await search({ TOOLMESH_WEB_PROVIDERS: "searxng,local", TOOLMESH_SEARXNG_URL: `http://127.0.0.1:${port}` });
    expect(byProvider(out).searxng).toEqual({
      provider: "searxng",
      web: true,
      outcome: "failed",
      code: ErrorCode.UNAVAILABLE,
      error: `connect ECONNREFUSED 127.0.0.1:${port}`,
    });
    expect(byProvider(out).local?.outcome).toBe("ok");
    expect(out.webReached).toBe(false);
    expect(out.configure).toBe(CONFIGURE_WEB_SEARCH);
  });

  it("a SearXNG JSON API answering 500, and one answering 401: the HTTP status, with what to check", async () => {
    const broken = await server((_req, res) => void res.writeHead(500).end("boom"));
    const out = await search({ TOOLMESH_WEB_PROVIDERS: "local,searxng", TOOLMESH_SEARXNG_URL: broken.url });
    expect(new URL(broken.requests[0]?.url ?? "", "http://x").searchParams.get("format")).toBe("json");
    expect(byProvider(out).searxng).toMatchObject({
      outcome: "failed",
      code: ErrorCode.UNAVAILABLE,
      error: "HTTP 500 Internal Server Error",
    });
    const locked = await server((_req, res) => void res.writeHead(401).end());
    const out401 = await search({ TOOLMESH_WEB_PROVIDERS: "local,searxng", TOOLMESH_SEARXNG_URL: locked.url });
    expect(byProvider(out401).searxng?.error).toBe(
      "HTTP 401 Unauthorized (the instance wants credentials; point TOOLMESH_SEARXNG_URL at one that does not)",
    );
    expect(out401.webReached).toBe(false);
  });

  it("Brave answering 401: says to check the key; the key set but brave not enabled is told apart from no key", async () => {
    const brave = await server((_req, res) => void res.writeHead(401).end());
    const out = await search({ TOOLMESH_WEB_PROVIDERS: "local,brave", TOOLMESH_BRAVE_API_KEY: "wrong", TOOLMESH_BRAVE_URL: brave.url });
    expect(brave.requests[0]?.headers["x-subscription-token"]).toBe("wrong");
    expect(byProvider(out).brave).toMatchObject({ outcome: "failed", error: "HTTP 401 Unauthorized (check TOOLMESH_BRAVE_API_KEY)" });
    const idle = await search({ TOOLMESH_BRAVE_API_KEY: "k" });
    expect(byProvider(idle).brave?.error).toBe("TOOLMESH_BRAVE_API_KEY is set but TOOLMESH_WEB_PROVIDERS does not name brave");
  });

  it("a provider that answers reaches the web: no configure hint, the failing one still listed", async () => {
    const searx = await server((_req, res) =>
      res
        .writeHead(200, { "content-type": "application/json" })
        .end(JSON.stringify({ results: [{ url: "https://nats.io/", title: "NATS", content: "work queue" }], unresponsive_engines: [] })),
    );
    const port = await refusingPort();
    const out = await search({
      TOOLMESH_WEB_PROVIDERS: "searxng,brave,local",
      TOOLMESH_SEARXNG_URL: searx.url,
      TOOLMESH_BRAVE_API_KEY: "k",
      TOOLMESH_BRAVE_URL: `http://127.0.0.1:${port}/`,
    });
    expect(out.webReached).toBe(true);
    expect(out.configure).toBeUndefined();
    expect(out.attempts.map((a) => [a.provider, a.outcome])).toEqual([
      ["searxng", "ok"],
      ["brave", "failed"],
      ["local", "ok"],
    ]);
  });

  it("providers chosen by the caller: only those are reported", async () => {
    const out = await search({}, { providers: ["local"] });
    expect(out.attempts).toEqual([{ provider: "local", web: false, outcome: "ok", results: 1 }]);
    expect(out.webReached).toBe(false);
    expect(out.configure).toBeUndefined();
  });

  it("no local index and every web provider down: UNAVAILABLE naming each reason and how to configure one", async () => {
    const port = await refusingPort();
    const t = createWebTools(parseWebConfig({ TOOLMESH_WEB_PROVIDERS: "searxng", TOOLMESH_SEARXNG_URL: `http://127.0.0.1:${port}` }));
    tools.push(t);
    const err = await failure(call(t, "web.search", { query: "x" }));
    expect(err.code).toBe(ErrorCode.UNAVAILABLE);
    expect(err.message).toBe(
      `every provider failed (searxng: connect ECONNREFUSED 127.0.0.1:${port}); not configured: brave (TOOLMESH_BRAVE_API_KEY not set); ${CONFIGURE_WEB_SEARCH}`,
    );
  });
});
