import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createWebTools, localProvider, type WebTools } from "../src/tools/index.js";
import { call } from "./helpers.js";

let dir: string;
let tools: WebTools;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "web-local-"));
  await mkdir(join(dir, "docs", "deep"), { recursive: true });
  await mkdir(join(dir, "node_modules", "pkg"), { recursive: true });
  await writeFile(
    join(dir, "docs", "nats.md"),
    "# NATS worker pools\n\nToolmesh fans tool calls out over NATS. Each worker pool subscribes to a queue group, " +
      "so NATS balances tool calls across workers. Pools scale by adding workers; the queue group does the rest.\n",
  );
  await writeFile(
    join(dir, "docs", "grpc.md"),
    "# gRPC gateway\n\nThe coordinator speaks gRPC to clients and maps error codes. NATS is mentioned once.\n",
  );
  await writeFile(
    join(dir, "docs", "deep", "cache.html"),
    "<html><head><title>Fetch cache</title><style>.x{}</style></head><body><nav>menu</nav><p>The fetch cache keeps responses for a TTL.</p></body></html>",
  );
  await writeFile(join(dir, "docs", "notes.txt"), "plain notes about sandboxing bash commands\n");
  await writeFile(join(dir, "docs", "image.png"), "NATS NATS NATS"); // not a text extension: never indexed
  await writeFile(join(dir, "node_modules", "pkg", "README.md"), "# NATS NATS NATS queue group workers\n");
  await writeFile(join(dir, "README.md"), "toolmesh readme without a heading\n");
  tools = createWebTools({ providers: ["local"], localIndexDirs: [join(dir, "docs"), join(dir, "README.md")] });
});
afterAll(async () => {
  await tools?.close();
  await rm(dir, { recursive: true, force: true });
});

describe("local BM25 index", () => {
  it("ranks the document that is about the query first, with file URL, heading title and a matching snippet", async () => {
    const out = (await call(tools, "web.search", { query: "NATS queue group workers" })) as {
      results: Array<{ url: string; title: string; snippet: string; provider: string; rank: number }>;
      providers: string[];
      failures: unknown[];
    };
    expect(out.providers).toEqual(["local"]);
    expect(out.failures).toEqual([]);
    expect(out.results.map((r) => r.url)).toEqual([
      pathToFileURL(join(dir, "docs", "nats.md")).href,
      pathToFileURL(join(dir, "docs", "grpc.md")).href,
    ]);
    const top = out.results[0];
    expect(top?.title).toBe("NATS worker pools");
    expect(top?.provider).toBe("local");
    expect(top?.rank).toBe(1);
    expect(top?.snippet.toLowerCase()).toContain("queue group");
    expect(top?.snippet.length).toBeLessThanOrEqual(210);
  });

  it("indexes HTML text (not markup), titles it from <title>, and falls back to the filename", async () => {
    const p = localProvider([dir]);
    const signal = new AbortController().signal;
    const html = await p.search("fetch cache TTL", 5, signal);
    expect(html[0]?.url).toBe(pathToFileURL(join(dir, "docs", "deep", "cache.html")).href);
    expect(html[0]?.title).toBe("Fetch cache");
    expect(html[0]?.snippet).not.toContain("<");
    expect(await p.search("style", 5, signal)).toEqual([]); // <style> contents and tag names are not text
    const readme = await p.search("readme heading", 5, signal);
    expect(readme.map((r) => r.title)).toEqual(["README.md"]);
    // node_modules and non-text extensions are skipped: only docs/ files match NATS.
    const nats = await p.search("nats", 10, signal);
    expect(nats.every((r) => r.url.includes("/docs/") && !r.url.endsWith(".png"))).toBe(true);
  });

  it("stop-words alone match nothing, and maxResults caps the list", async () => {
    const p = localProvider([join(dir, "docs")]);
    const signal = new AbortController().signal;
    expect(await p.search("the and of", 5, signal)).toEqual([]);
    expect(await p.search("nats fetch sandboxing", 1, signal)).toHaveLength(1);
  });
});
