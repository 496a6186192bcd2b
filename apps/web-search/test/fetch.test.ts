import { ErrorCode } from "@toolmesh/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createWebTools, type WebTools } from "../src/tools/index.js";
import { call, failure, serve, type TestServer } from "./helpers.js";

const PARAGRAPH =
  "Reciprocal rank fusion merges ranked lists from several search engines by summing one over sixty plus the rank of each document. " +
  "It needs no score calibration, which is why toolmesh uses it to combine SearXNG, Brave and the local index. ";
const ARTICLE = `<!doctype html><html><head><title>Rank fusion explained</title></head><body>
<nav class="menu"><a href="/">Home</a> <a href="/pricing">Pricing</a> <a href="/login">NAVLINK-NOISE</a></nav>
<div class="ad banner sponsored">BUY-NOW-AD-NOISE cheap widgets</div>
<article><h1>Rank fusion explained</h1>${`<p>${PARAGRAPH}</p>`.repeat(6)}</article>
<aside class="sidebar">SIDEBAR-NOISE related links</aside>
<footer>FOOTER-NOISE copyright</footer><script>var TRACKER_NOISE = 1;</script></body></html>`;

let site: TestServer;
let tools: WebTools;
let hits = 0;
beforeAll(async () => {
  site = await serve((req, res) => {
    const u = new URL(req.url ?? "/", "http://x");
    switch (u.pathname) {
      case "/article":
        return void res.writeHead(200, { "content-type": "text/html; charset=utf-8" }).end(ARTICLE);
      case "/plain":
        return void res.writeHead(200, { "content-type": "text/plain" }).end("just text");
      case "/counted":
        hits += 1;
        return void res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ hits }));
      case "/hop": {
        const n = Number(u.searchParams.get("n"));
        if (n <= 0) return void res.writeHead(200, { "content-type": "text/plain" }).end("landed");
        return void res.writeHead(302, { location: `/hop?n=${n - 1}` }).end();
      }
      case "/big":
        res.writeHead(200, { "content-type": "text/plain" });
        res.write("a".repeat(64 * 1024));
        return void res.end("b".repeat(64 * 1024));
      case "/slow":
        res.writeHead(200, { "content-type": "text/plain" });
        return void res.write("partial"); // never ends
      case "/image":
        return void res.writeHead(200, { "content-type": "image/png" }).end(Buffer.from([0x89, 0x50, 0x4e, 0x47]));
      default:
        return void res.writeHead(404, { "content-type": "text/plain" }).end("not here");
    }
  });
  tools = createWebTools({ providers: [], fetchAllowHosts: [`127.0.0.1:${site.port}`] });
});
afterAll(async () => {
  await tools?.close();
  await site?.close();
});

type Out = Record<string, unknown> & { text: string };
const get = (path: string, extra: Record<string, unknown> = {}) =>
  call(tools, "web.fetch", { url: `${site.url}${path}`, ...extra }) as Promise<Out>;

describe("web.fetch through the allow-list", () => {
  it("extracts the article's main text and drops nav, ads, sidebar, footer and scripts", async () => {
    const out = await get("/article");
    expect(out.status).toBe(200);
    expect(out.title).toBe("Rank fusion explained");
    expect(out.text).toContain("Reciprocal rank fusion merges ranked lists");
    for (const noise of ["NAVLINK-NOISE", "BUY-NOW-AD-NOISE", "SIDEBAR-NOISE", "FOOTER-NOISE", "TRACKER_NOISE"])
      expect(out.text).not.toContain(noise);
    expect(out.truncated).toBe(false);
    expect(out.bytes).toBe(Buffer.byteLength(ARTICLE));
    expect(out.fromCache).toBe(false);
  });

  it("extract: false returns the raw HTML", async () => {
    const out = await get("/article", { extract: false });
    expect(out.text).toBe(ARTICLE);
    expect(out.title).toBeUndefined();
  });

  it("follows redirects up to maxRedirects and records each hop", async () => {
    const out = await get("/hop?n=3", { maxRedirects: 3 });
    expect(out.text).toBe("landed");
    expect(out.finalUrl).toBe(`${site.url}/hop?n=0`);
    expect(out.redirects).toEqual([`${site.url}/hop?n=2`, `${site.url}/hop?n=1`, `${site.url}/hop?n=0`]);
  });

  it("one redirect too many is an error naming maxRedirects", async () => {
    const err = await failure(get("/hop?n=3", { maxRedirects: 2 }));
    expect(err.code).toBe(ErrorCode.INVALID_ARGUMENT);
    expect(err.message).toContain("more than 2 redirects");
  });

  it("stops reading at maxBytes and says so", async () => {
    const out = await get("/big", { maxBytes: 1000 });
    expect(out.truncated).toBe(true);
    expect(out.bytes).toBe(1000);
    expect(out.text).toBe("a".repeat(1000));
    const whole = await get("/plain", { maxBytes: 9 }); // exactly the body's size is not truncation
    expect([whole.text, whole.truncated]).toEqual(["just text", false]);
  });

  it("a body that never finishes hits the timeout: DEADLINE_EXCEEDED", async () => {
    const started = Date.now();
    const err = await failure(get("/slow", { timeoutMs: 300 }));
    expect(err.code).toBe(ErrorCode.DEADLINE_EXCEEDED);
    // Given up on at the timeout, not waited for (the body never ends), however busy the machine.
    expect(Date.now() - started).toBeLessThan(20_000);
  });

  it("refuses unsupported content types", async () => {
    const err = await failure(get("/image"));
    expect(err.code).toBe(ErrorCode.INVALID_ARGUMENT);
    expect(err.message).toContain('unsupported content type "image/png"');
  });

  it("reports non-2xx statuses with their body", async () => {
    const out = await get("/missing");
    expect([out.status, out.text]).toEqual([404, "not here"]);
  });

  it("serves a repeat from the TTL cache without contacting the server", async () => {
    const first = await get("/counted");
    const second = await get("/counted");
    expect(first.text).toBe('{"hits":1}');
    expect(second.text).toBe('{"hits":1}');
    expect([first.fromCache, second.fromCache]).toEqual([false, true]);
    expect(hits).toBe(1);
    const noCache = createWebTools({ providers: [], fetchAllowHosts: [`127.0.0.1:${site.port}`], fetchCacheTtlMs: 0 });
    expect(((await call(noCache, "web.fetch", { url: `${site.url}/counted` })) as Out).text).toBe('{"hits":2}');
    await noCache.close();
  });

  it("caps concurrent fetches per host", async () => {
    let active = 0;
    let peak = 0;
    const slow = await serve((_req, res) => {
      active += 1;
      peak = Math.max(peak, active);
      setTimeout(() => {
        active -= 1;
        res.writeHead(200, { "content-type": "text/plain" }).end("ok");
      }, 50);
    });
    const limited = createWebTools({ providers: [], fetchAllowHosts: [`127.0.0.1:${slow.port}`], fetchPerHost: 2, fetchCacheTtlMs: 0 });
    const outs = await Promise.all([1, 2, 3, 4, 5].map((i) => call(limited, "web.fetch", { url: `${slow.url}/r${i}` })));
    expect(outs.map((o) => (o as Out).text)).toEqual(["ok", "ok", "ok", "ok", "ok"]);
    expect(peak).toBe(2);
    await limited.close();
    await slow.close();
  });
});
