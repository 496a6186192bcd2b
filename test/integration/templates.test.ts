import { status } from "@grpc/grpc-js";
import { createCodebaseTools, parseRoots } from "@toolmesh/codebase";
import { TaskState, WorkflowState, type Workflow } from "@toolmesh/proto";
import { createWebTools, parseWebConfig, type WebTools } from "@toolmesh/web-search";
import { createRequire } from "node:module";
import { mkdtemp, mkdir, rm, writeFile } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { freePort, waitFor } from "@toolmesh/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { repoRoot, startStack, type TestStack } from "../support/stack.js";

/**
 * The four templates end to end through RunTemplate on real pools: this
 * repository and a third-party package's sources (@grpc/grpc-js ships its
 * TypeScript) for the codebase; for the web, a local document set (BM25
 * index) plus local HTTP pages found through a local server speaking
 * SearXNG's JSON API (a contract stand-in for a real SearXNG instance).
 */
let stack: TestStack;
let web: WebTools;
/** The web pool's tools right now: a test may swap in another provider setup. */
let webNow: WebTools;
let site: Server;
let workspace: string;
const grpcJs = dirname(createRequire(import.meta.url).resolve("@grpc/grpc-js/package.json"));

const PAGE = (title: string, body: string): string =>
  `<html><head><title>${title}</title></head><body><nav>menu</nav><article><h1>${title}</h1><p>${body}</p></article></body></html>`;
const LEASE_TEXT =
  "A coordinator holds a lease in a key value bucket and renews it with compare and set on the revision; when the lease expires a standby replica takes over and resumes every stored workflow from the bucket without running finished calls again.";

beforeAll(async () => {
  stack = await startStack();
  workspace = await mkdtemp(join(tmpdir(), "toolmesh-templates-"));
  await mkdir(join(workspace, "docs"));
  await writeFile(join(workspace, "docs", "lease.md"), "# Leases\nA coordinator lease in a KV bucket lets a standby take over.\n");
  await writeFile(join(workspace, "docs", "queues.md"), "# Work queues\nEach pool has a JetStream work queue and a durable consumer.\n");
  site = createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://x");
    if (url.pathname === "/search") {
      // SearXNG's JSON format: {results: [{url, title, content}]}.
      const base = `http://127.0.0.1:${(site.address() as { port: number }).port}`;
      res.writeHead(200, { "content-type": "application/json" });
      res.end(
        JSON.stringify({
          query: url.searchParams.get("q"),
          results: [
            { url: `${base}/lease`, title: "Coordinator leases", content: "lease renewal and takeover" },
            { url: `${base}/mirror/lease`, title: "Mirror: leases", content: "a mirror of the lease page" },
            { url: `${base}/queues`, title: "Work queues", content: "JetStream work queues per pool" },
          ],
          unresponsive_engines: [],
        }),
      );
      return;
    }
    res.writeHead(200, { "content-type": "text/html" });
    if (url.pathname.endsWith("/lease"))
      res.end(PAGE(url.pathname.startsWith("/mirror") ? "Mirror of leases" : "Coordinator leases", LEASE_TEXT));
    else
      res.end(
        PAGE(
          "Work queues",
          "Each worker pool pulls tasks from its own JetStream work queue stream with a durable consumer and acknowledges after publishing the result.",
        ),
      );
  });
  await new Promise<void>((resolve) => site.listen(0, "127.0.0.1", resolve));
  const port = (site.address() as { port: number }).port;
  web = createWebTools(
    parseWebConfig({
      TOOLMESH_WEB_PROVIDERS: "local,searxng",
      TOOLMESH_SEARXNG_URL: `http://127.0.0.1:${port}`,
      TOOLMESH_LOCAL_INDEX_DIRS: join(workspace, "docs"),
      TOOLMESH_FETCH_ALLOW_HOSTS: `127.0.0.1:${port}`,
    }),
  );
  webNow = web;
  await stack.addWorker("web", {
    "web.search": (args, ctx) => webNow["web.search"](args, ctx),
    "web.fetch": (args, ctx) => webNow["web.fetch"](args, ctx),
  });
  const code = createCodebaseTools({ roots: parseRoots([`toolmesh=${repoRoot}`, `grpc=${grpcJs}`]) });
  await stack.addWorker("codebase", code, { limit: 32 });
}, 30_000);
afterAll(async () => {
  await stack?.stop();
  await web?.close();
  site?.close();
  await rm(workspace, { recursive: true, force: true });
});

async function runTemplate(template: string, params: Record<string, unknown>): Promise<{ wf: Workflow; markdown: string }> {
  const id = await stack.client.runTemplate({ template, params });
  for await (const _ of stack.client.watch(id)) void _;
  const wf = await stack.client.get(id);
  const report = wf.tasks.filter((t) => t.tool === "synth.report" && t.state === TaskState.TASK_STATE_SUCCEEDED).at(-1);
  const output = report ? await stack.client.taskOutput(id, report.id) : {};
  return { wf, markdown: typeof output.markdown === "string" ? output.markdown : "" };
}

const task = (wf: Workflow, id: string) => wf.tasks.find((t) => t.id === id);

describe("templates through RunTemplate", () => {
  it("explore-codebase on this repository: every source file analysed, greps for the question, top hits read, one report", async () => {
    const { wf, markdown } = await runTemplate("explore-codebase", {
      root: "toolmesh",
      question: "how does the partition lease renew",
      maxFiles: 1000,
    });
    expect(wf.state).toBe(WorkflowState.WORKFLOW_STATE_SUCCEEDED);
    const analyze = task(wf, "analyze")!.output as { succeeded: number; failed: number };
    expect(analyze.succeeded).toBeGreaterThan(150);
    expect(analyze.failed).toBe(0);
    expect(wf.tasks.filter((t) => t.id.startsWith("read[")).length).toBeGreaterThan(0);
    expect(new Set(wf.tasks.map((t) => t.stage))).toEqual(new Set(["discover", "analyse", "search", "rank", "read", "report"]));
    expect(markdown).toMatch(/^# /);
    expect(markdown).toContain("## Languages");
    expect(markdown).toMatch(/\| TypeScript \| \d+ \|/);
    // The question's subject is found where it lives.
    expect(markdown).toMatch(/`apps\/coordinator\/src\/partition\/partition-table\.ts(:\d+)?`/);
  });

  it("explore-codebase on a third-party tree (@grpc/grpc-js's own sources)", async () => {
    const { wf, markdown } = await runTemplate("explore-codebase", { root: "grpc", path: "src", question: "deadline" });
    expect(wf.state).toBe(WorkflowState.WORKFLOW_STATE_SUCCEEDED);
    expect((task(wf, "analyze")!.output as { succeeded: number }).succeeded).toBeGreaterThan(40);
    expect(markdown).toContain("src/deadline.ts");
  });

  it("explore-web: query variants in parallel, fetch of the http results only, near-duplicate pages removed, a report citing URLs", async () => {
    const { wf, markdown } = await runTemplate("explore-web", { queries: ["coordinator lease", "work queue"], maxFetch: 10 });
    expect(wf.state).toBe(WorkflowState.WORKFLOW_STATE_SUCCEEDED);
    expect(wf.tasks.filter((t) => t.tool === "web.search").length).toBeGreaterThan(4);
    const fetch = task(wf, "fetch")!.output as { succeeded: number; skipped: number };
    // Three http pages fetched; the local index's file: results were not sent to web.fetch.
    expect(fetch.succeeded).toBe(3);
    expect(fetch.skipped).toBeGreaterThan(0);
    expect(task(wf, "pages")!.output).toMatchObject({ removed: { bySimilarity: 1 } });
    expect(markdown).toMatch(/\]\(http:\/\/127\.0\.0\.1:\d+\/(lease|queues)\)/);
    // SearXNG answered: the report does not claim local-only sources, and names the providers.
    expect(markdown).not.toContain("local index only");
    expect(markdown).toContain("## Web sources");
    expect(markdown).toMatch(/- Search providers over \d+ searches: local: \d+ answered .*; searxng: \d+ answered/);
  });

  it("explore-web with no web provider reachable: the report says it is local-index only, why each provider failed and how to configure one", async () => {
    const port = await freePort();
    const offline = createWebTools(
      parseWebConfig({
        TOOLMESH_WEB_PROVIDERS: "local,searxng",
        TOOLMESH_SEARXNG_URL: `http://127.0.0.1:${port}`,
        TOOLMESH_LOCAL_INDEX_DIRS: join(workspace, "docs"),
      }),
    );
    webNow = offline;
    try {
      const { wf, markdown } = await runTemplate("explore-web", { queries: ["coordinator lease"], variants: false });
      expect(wf.state).toBe(WorkflowState.WORKFLOW_STATE_SUCCEEDED);
      expect(markdown.split("\n")[2]).toBe(
        `**Sources: local index only** — no web search provider was reachable (searxng: connect ECONNREFUSED 127.0.0.1:${port}; brave: TOOLMESH_BRAVE_API_KEY not set). ` +
          "To search the web, give the web pool TOOLMESH_WEB_PROVIDERS=searxng,local and TOOLMESH_SEARXNG_URL (the base URL of a SearXNG instance with the json format enabled), " +
          "or TOOLMESH_WEB_PROVIDERS=brave,local and TOOLMESH_BRAVE_API_KEY (a Brave Search API key), e.g. in the environment of toolmesh up.",
      );
      expect(markdown).toContain("## Sources (local index, not the web)");
      const report = (await stack.client.taskOutput(wf.id, "report")).report as { search: Record<string, unknown> };
      expect(report.search).toMatchObject({ searches: 1, webReached: false, localOnly: true });
    } finally {
      webNow = web;
      await offline.close();
    }
  });

  it("think-layers: gather → analyse → critique → synthesise, each layer after the last", async () => {
    const { wf, markdown } = await runTemplate("think-layers", {
      goal: "how is a lease renewed",
      path: "apps/coordinator",
      root: "toolmesh",
    });
    expect(wf.state).toBe(WorkflowState.WORKFLOW_STATE_SUCCEEDED);
    const layers = ["gather", "analyse", "critique", "synthesise"];
    expect(layers.every((l) => wf.tasks.some((t) => t.stage === l))).toBe(true);
    // Each layer is fed by the one before: every task past the first layer depends, directly or
    // through its own layer, on a task of the previous layer.
    const byId = new Map(wf.tasks.map((t) => [t.id, t]));
    const upstream = (id: string, seen = new Set<string>()): Set<string> => {
      for (const dep of byId.get(id)?.dependsOn ?? []) if (!seen.has(dep)) upstream(dep, seen.add(dep));
      return seen;
    };
    for (let i = 1; i < layers.length; i++) {
      for (const t of wf.tasks.filter((t) => t.stage === layers[i] && !t.id.endsWith("]"))) {
        expect([...upstream(t.id)].some((dep) => byId.get(dep)?.stage === layers[i - 1])).toBe(true);
      }
    }
    // The synthesis starts once every other layer is done.
    const report = task(wf, "report")!;
    const othersEnd = Math.max(...wf.tasks.filter((t) => t.stage !== "synthesise").map((t) => t.finishedAtMs));
    expect(report.startedAtMs).toBeGreaterThanOrEqual(othersEnd);
    expect(markdown).toContain("how is a lease renewed");
  });

  it("start: explore-codebase and explore-web side by side, then one synthesis", async () => {
    const { wf, markdown } = await runTemplate("start", { goal: "coordinator lease", path: "apps/coordinator", root: "toolmesh" });
    expect(wf.state).toBe(WorkflowState.WORKFLOW_STATE_SUCCEEDED);
    expect(wf.tasks.some((t) => t.id.startsWith("code-")) && wf.tasks.some((t) => t.id.startsWith("web-"))).toBe(true);
    expect(markdown).toMatch(/http:\/\/127\.0\.0\.1:\d+\/lease/);
    expect(markdown).toMatch(/apps\/coordinator\//);
  });

  it("bad template requests are INVALID_ARGUMENT saying what to fix", async () => {
    await expect(stack.client.runTemplate({ template: "explore-everything" })).rejects.toMatchObject({
      code: status.INVALID_ARGUMENT,
      details: expect.stringMatching(/known templates: explore-codebase, explore-web, think-layers, start/),
    });
    await expect(stack.client.runTemplate({ template: "explore-web", params: { queries: [] } })).rejects.toMatchObject({
      code: status.INVALID_ARGUMENT,
    });
    const spec = await stack.client.expandTemplate({ template: "explore-codebase", params: { question: "x" } });
    expect(spec.tasks.length).toBeGreaterThan(10);
  });

  it("a bad codebase root or path fails RunTemplate once, before any task runs, saying what to do", async () => {
    // The coordinator checks roots and paths on a live codebase worker.
    await waitFor(
      async () => (await stack.client.capacity()).pools.some((p) => p.pool === "codebase" && p.instances > 0),
      30_000,
      "a live codebase worker",
    );
    const explorations = async () => (await stack.client.list(1000)).workflows.filter((w) => w.name === "explore-codebase").length;
    const before = await explorations();
    const hint = "configure roots with `toolmesh up --root NAME=DIR`";
    await expect(
      stack.client.runTemplate({ template: "explore-codebase", params: { path: "/usr/lib/node_modules/npm" } }),
    ).rejects.toMatchObject({
      code: status.INVALID_ARGUMENT,
      details: expect.stringMatching(
        /params\.path: "\/usr\/lib\/node_modules\/npm" is absolute; give the root's name with --root NAME .*toolmesh up --root NAME=DIR/,
      ),
    });
    await expect(stack.client.expandTemplate({ template: "start", params: { goal: "x", path: "../elsewhere" } })).rejects.toMatchObject({
      code: status.INVALID_ARGUMENT,
      details: expect.stringContaining('"../elsewhere" climbs out of the root'),
    });
    const unknownRoot = stack.client.runTemplate({ template: "explore-codebase", params: { root: "npm", question: "lease" } });
    await expect(unknownRoot).rejects.toMatchObject({ code: status.INVALID_ARGUMENT });
    const details = String(((await unknownRoot.catch((e: unknown) => e)) as { details: string }).details);
    expect(details).toContain('template "explore-codebase": codebase root "npm", path ".": no root named "npm"; roots: toolmesh, grpc');
    expect(details).toContain(hint);
    await expect(
      stack.client.runTemplate({ template: "think-layers", params: { goal: "lease", root: "toolmesh", path: "no/such/dir" } }),
    ).rejects.toMatchObject({
      code: status.INVALID_ARGUMENT,
      details: expect.stringContaining('"no/such/dir" does not exist in root "toolmesh"'),
    });
    // Nothing ran: no explore-codebase workflow was started by the refused requests.
    expect(await explorations()).toBe(before);
  });
});
