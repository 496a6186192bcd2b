import { ErrorCode } from "@toolmesh/core";
import type { LookupAddress } from "node:dns";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { checkUrl, createWebTools, forbiddenReason, guardedLookup, parseAllowList, type WebTools } from "../src/tools/index.js";
import { call, ctx, failure, serve, type TestServer } from "./helpers.js";

// Every refusal here happens before a socket opens: literal IPs are judged as
// parsed, names resolve to loopback (localhost) or come from a fake resolver.
let site: TestServer;
let guarded: WebTools;
let allowing: WebTools;
beforeAll(async () => {
  site = await serve((req, res) => {
    const to = new URL(req.url ?? "/", "http://x").searchParams.get("to");
    if (to) return void res.writeHead(302, { location: to }).end();
    res.writeHead(200, { "content-type": "text/plain" }).end("reached");
  });
  guarded = createWebTools({ providers: [] });
  allowing = createWebTools({ providers: [], fetchAllowHosts: [`127.0.0.1:${site.port}`] });
});
afterAll(async () => {
  await Promise.all([guarded?.close(), allowing?.close()]);
  await site?.close();
});

const REFUSED = [
  "http://127.0.0.1/",
  "http://localhost/",
  "http://[::1]/",
  "http://10.1.2.3/",
  "http://172.16.0.1/",
  "http://172.31.255.255/",
  "http://192.168.1.1/",
  "http://169.254.169.254/latest/meta-data/",
  "http://[fc00::1]/",
  "http://[fd12:3456::1]/",
  "http://[fe80::1]/",
  "http://0.0.0.0/",
  "http://[::]/",
  "http://[::ffff:127.0.0.1]/",
  "http://[::ffff:169.254.169.254]/",
  "http://2130706433/",
  "http://0177.0.0.1/",
  "http://0x7f000001/",
  "http://0x7f.0.0.1/",
  "http://127.1/",
  "http://100.64.0.1/",
  "http://224.0.0.1/",
  "http://255.255.255.255/",
  "http://[ff02::1]/",
  "http://[64:ff9b::7f00:1]/",
  "http://[2002:7f00:1::]/",
];

describe("SSRF guard", () => {
  it.each(REFUSED)("refuses %s with PERMISSION_DENIED", async (url) => {
    const err = await failure(call(guarded, "web.fetch", { url }));
    expect(err.code).toBe(ErrorCode.PERMISSION_DENIED);
    expect(err.message).toContain("TOOLMESH_FETCH_ALLOW_HOSTS");
  });

  it("refuses the loopback test server itself when it is not allow-listed, before any request reaches it", async () => {
    const before = site.requests.length;
    for (const url of [`${site.url}/`, `http://localhost:${site.port}/`, `http://[::ffff:7f00:1]:${site.port}/`]) {
      expect((await failure(call(guarded, "web.fetch", { url }))).code).toBe(ErrorCode.PERMISSION_DENIED);
    }
    expect(site.requests.length).toBe(before);
  });

  it("re-checks every redirect hop: an allowed host redirecting to a refused one is refused", async () => {
    for (const target of [
      `http://localhost:${site.port}/`,
      "http://169.254.169.254/latest/meta-data/",
      "http://[::1]/",
      "http://2130706433/",
    ]) {
      const before = site.requests.length;
      const err = await failure(call(allowing, "web.fetch", { url: `${site.url}/?to=${encodeURIComponent(target)}` }));
      expect(err.code).toBe(ErrorCode.PERMISSION_DENIED);
      expect(site.requests.length).toBe(before + 1); // only the allowed first hop was made
    }
    const ok = await call(allowing, "web.fetch", { url: `${site.url}/?to=/final` });
    expect(ok.text).toBe("reached");
  });

  it.each(["file:///etc/passwd", "ftp://example.com/x", "gopher://127.0.0.1:70/_x", "data:text/plain,hi", "javascript:alert(1)"])(
    "refuses the non-http scheme of %s with INVALID_ARGUMENT",
    async (url) => {
      const args = { url, maxBytes: 1000, timeoutMs: 1000, maxRedirects: 0, extract: true };
      const err = await failure(guarded["web.fetch"](args, ctx()));
      expect(err.code).toBe(ErrorCode.INVALID_ARGUMENT);
      expect(err.message).toContain("only http: and https:");
    },
  );

  it("refuses a redirect to a non-http scheme", async () => {
    const err = await failure(call(allowing, "web.fetch", { url: `${site.url}/?to=${encodeURIComponent("file:///etc/passwd")}` }));
    expect(err.code).toBe(ErrorCode.INVALID_ARGUMENT);
  });

  it("refuses a name when ANY of its addresses is internal, and passes one whose addresses are all public", async () => {
    const allow = parseAllowList([]);
    const mixed = async (): Promise<LookupAddress[]> => [
      { address: "93.184.215.14", family: 4 },
      { address: "10.0.0.5", family: 4 },
    ];
    expect((await failure(checkUrl("https://mixed.example/", allow, mixed))).code).toBe(ErrorCode.PERMISSION_DENIED);
    const pub = async (): Promise<LookupAddress[]> => [
      { address: "93.184.215.14", family: 4 },
      { address: "2606:2800:21f:cb07:6820:80da:af6b:8b2c", family: 6 },
    ];
    expect((await checkUrl("https://public.example/a", allow, pub)).href).toBe("https://public.example/a");
  });

  it("DNS rebinding: the connect-time lookup re-checks, so a name that turns internal after the check is refused", async () => {
    let calls = 0;
    const rebinding = async (): Promise<LookupAddress[]> =>
      ++calls === 1 ? [{ address: "93.184.215.14", family: 4 }] : [{ address: "127.0.0.1", family: 4 }];
    const tools = createWebTools({ providers: [] }, { resolve: rebinding });
    const before = site.requests.length;
    const err = await failure(call(tools, "web.fetch", { url: `http://rebind.example:${site.port}/` }));
    await tools.close();
    expect(err.code).toBe(ErrorCode.PERMISSION_DENIED);
    expect(calls).toBe(2);
    expect(site.requests.length).toBe(before);
    // And the lookup itself, as undici calls it:
    const result = await new Promise<unknown>((resolve) =>
      guardedLookup(async () => [{ address: "192.168.0.9", family: 4 }])("h", { all: true }, (err) => resolve(err)),
    );
    expect(result).toBeInstanceOf(Error);
  });

  it("classifies public addresses as fetchable", () => {
    for (const ip of ["8.8.8.8", "1.1.1.1", "93.184.215.14", "2606:4700:4700::1111", "::ffff:8.8.8.8", "172.32.0.1", "100.128.0.1"])
      expect(forbiddenReason(ip)).toBeUndefined();
  });

  it("allow-list entries match host:port exactly, or every port of a bare host", () => {
    const allow = parseAllowList(["127.0.0.1:8080", "LocalHost", "[::1]:9000"]);
    expect(allow.has(new URL("http://127.0.0.1:8080/"))).toBe(true);
    expect(allow.has(new URL("http://127.0.0.1:8081/"))).toBe(false);
    expect(allow.has(new URL("http://localhost:1234/"))).toBe(true);
    expect(allow.has(new URL("http://[::1]:9000/"))).toBe(true);
    expect(allow.has(new URL("http://[::1]:9001/"))).toBe(false);
    expect(() => parseAllowList(["http://x/"])).toThrow(/host or host:port/);
  });
});
