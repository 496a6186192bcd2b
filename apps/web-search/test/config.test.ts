import { mkdtemp, mkdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { createWebTools, parseWebConfig } from "../src/tools/index.js";

describe("parseWebConfig", () => {
  it("defaults: local provider over ./README.md and ./docs (those that exist), 4 per host, 60 s cache", async () => {
    const cwd = await mkdtemp(join(tmpdir(), "web-cfg-"));
    await writeFile(join(cwd, "README.md"), "# x\n");
    const withoutDocs = parseWebConfig({}, cwd);
    await mkdir(join(cwd, "docs"));
    const withDocs = parseWebConfig({}, cwd);
    await rm(cwd, { recursive: true, force: true });
    expect(withoutDocs).toEqual({
      providers: ["local"],
      braveUrl: "https://api.search.brave.com/res/v1/web/search",
      localIndexDirs: [join(cwd, "README.md")],
      fetchAllowHosts: [],
      fetchPerHost: 4,
      fetchHostIntervalMs: 0,
      fetchCacheTtlMs: 60_000,
    });
    expect(withDocs.localIndexDirs).toEqual([join(cwd, "README.md"), join(cwd, "docs")]);
  });

  it("reads every variable", async () => {
    const cfg = parseWebConfig({
      TOOLMESH_WEB_PROVIDERS: "searxng, brave,local",
      TOOLMESH_SEARXNG_URL: "http://searx:8080",
      TOOLMESH_BRAVE_API_KEY: "key",
      TOOLMESH_BRAVE_URL: "http://brave.test/api",
      TOOLMESH_LOCAL_INDEX_DIRS: "/a, /b",
      TOOLMESH_FETCH_ALLOW_HOSTS: "127.0.0.1:8080,intranet",
      TOOLMESH_FETCH_PER_HOST: "2",
      TOOLMESH_FETCH_HOST_INTERVAL_MS: "250",
      TOOLMESH_FETCH_CACHE_TTL_MS: "0",
    });
    expect(cfg).toEqual({
      providers: ["searxng", "brave", "local"],
      searxngUrl: "http://searx:8080",
      braveApiKey: "key",
      braveUrl: "http://brave.test/api",
      localIndexDirs: ["/a", "/b"],
      fetchAllowHosts: ["127.0.0.1:8080", "intranet"],
      fetchPerHost: 2,
      fetchHostIntervalMs: 250,
      fetchCacheTtlMs: 0,
    });
    const tools = createWebTools(cfg);
    expect(tools.providers).toEqual(["searxng", "brave", "local"]);
    await tools.close();
  });

  it("names every bad variable in one error", () => {
    const bad = () =>
      parseWebConfig({
        TOOLMESH_WEB_PROVIDERS: "local,google,brave",
        TOOLMESH_SEARXNG_URL: "ftp://x",
        TOOLMESH_FETCH_PER_HOST: "0",
        TOOLMESH_FETCH_CACHE_TTL_MS: "soon",
        TOOLMESH_FETCH_ALLOW_HOSTS: "http://x/",
      });
    expect(bad).toThrow(/TOOLMESH_WEB_PROVIDERS: unknown provider "google"/);
    expect(bad).toThrow(/TOOLMESH_BRAVE_API_KEY: required/);
    expect(bad).toThrow(/TOOLMESH_SEARXNG_URL: "ftp:\/\/x" is not an http\(s\) URL/);
    expect(bad).toThrow(/TOOLMESH_FETCH_PER_HOST/);
    expect(bad).toThrow(/TOOLMESH_FETCH_CACHE_TTL_MS/);
    expect(bad).toThrow(/TOOLMESH_FETCH_ALLOW_HOSTS/);
    expect(() => parseWebConfig({ TOOLMESH_WEB_PROVIDERS: "searxng" })).toThrow(/TOOLMESH_SEARXNG_URL: required/);
  });
});
