import { status } from "@grpc/grpc-js";
import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { StreamableHTTPServerTransport } from "@modelcontextprotocol/sdk/server/streamableHttp.js";
import { LocalProcessBackend, startAutoscaler } from "@toolmesh/autoscaler";
import { createLogger, createRegistry, type McpPoolsConfig } from "@toolmesh/core";
import { EventType, TaskState, WorkflowState } from "@toolmesh/proto";
import { waitFor } from "@toolmesh/testing";
import type { ChildProcess } from "node:child_process";
import { randomUUID } from "node:crypto";
import { mkdtempSync, mkdirSync, readFileSync, readdirSync, realpathSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { task, workflow } from "../support/spec.js";
import { runCli, startCli, uniqueMarker, waitUntilNoneLeft } from "../support/cli-process.js";
import { spawnService, startStack, type TestStack } from "../support/stack.js";

/**
 * A real MCP server nobody here wrote — @modelcontextprotocol/server-filesystem
 * from node_modules, unmodified — made the pool mcp-fs over a test tree:
 * four instances started by the autoscaler's local backend (apps/mcp-pool,
 * each with its own server child over stdio), its tools in the catalog as
 * fs.<tool>, 200 reads fanned out over the four, path errors as tool errors,
 * and an upstream killed mid-run restarted while the run completes.
 */
const require = createRequire(import.meta.url);
const serverScript = require.resolve("@modelcontextprotocol/server-filesystem/dist/index.js");
const log = createLogger("mcp-pool-test", process.env.TOOLMESH_TEST_LOG ?? "silent");
const FILES = 200;
let stack: TestStack;
let backend: LocalProcessBackend;
let tree: string;

/** Pids of the filesystem servers serving `dir` (the instances' children), from /proc. */
function serverPids(dir: string): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const argv = readFileSync(`/proc/${entry}/cmdline`, "utf8").split("\0");
      if (argv.includes(serverScript) && argv.includes(dir)) pids.push(Number(entry));
    } catch {
      // Gone meanwhile.
    }
  }
  return pids;
}

beforeAll(async () => {
  tree = realpathSync(mkdtempSync(join(tmpdir(), "tm-mcp-fs-")));
  mkdirSync(join(tree, "docs"));
  for (let i = 0; i < FILES; i++) writeFileSync(join(tree, "docs", `f${String(i).padStart(3, "0")}.txt`), `file ${i}\n${"x".repeat(i)}\n`);
  stack = await startStack();
  const mcpPools: McpPoolsConfig = {
    fs: { command: process.execPath, args: [serverScript, tree], env: {}, headers: {}, min: 1, max: 4, maxLimit: 16 },
  };
  backend = new LocalProcessBackend({
    natsUrl: stack.nats.url,
    log,
    drainGraceMs: 5000,
    env: { TOOLMESH_METRICS_INTERVAL_MS: "200", TOOLMESH_ACK_WAIT_MS: "10000", TOOLMESH_MCP_WAIT_MS: "10000" },
    mcpPools,
  });
  await backend.apply("mcp-fs", 4);
  await waitFor(
    async () => (await stack.client.capacity()).pools.find((p) => p.pool === "mcp-fs" && p.instances === 4),
    60_000,
    "four mcp-fs instances",
  );
}, 180_000);

afterAll(async () => {
  await backend?.close();
  await stack?.stop();
  if (tree) rmSync(tree, { recursive: true, force: true });
});

it("lists the upstream's tools as fs.<tool> with their own schemas, in pool mcp-fs", async () => {
  const tools = await waitFor(
    async () => {
      const listed = (await stack.client.listTools()).filter((t) => t.pool === "mcp-fs");
      return listed.some((t) => t.name === "fs.read_text_file") ? listed : undefined;
    },
    20_000,
    "fs.read_text_file in ListTools",
  );
  const read = tools.find((t) => t.name === "fs.read_text_file")!;
  expect(read.argsSchema).toMatchObject({ type: "object", properties: { path: { type: "string" } } });
  expect(read.shareable).toBe(true);
  expect(tools.find((t) => t.name === "fs.write_file")?.shareable).toBe(false);
});

it("answers 200 reads through CallTools, fanned out over the four instances, each output the file's text", async () => {
  const session = stack.client.session();
  try {
    const results = await Promise.all(
      Array.from({ length: FILES }, (_, i) =>
        session.call({ tool: "fs.read_text_file", args: { path: join(tree, "docs", `f${String(i).padStart(3, "0")}.txt`) } }),
      ),
    );
    for (const [i, r] of results.entries()) expect((r.output as { text: string }).text).toBe(`file ${i}\n${"x".repeat(i)}\n`);
    expect(new Set(results.map((r) => r.worker)).size).toBe(4);
  } finally {
    await session.close();
  }
}, 120_000);

it("runs 200 reads as one workflow over the four instances, each output the file's text", async () => {
  const tasks = Array.from({ length: FILES }, (_, i) =>
    task(`r${i}`, "fs.read_text_file", { path: join(tree, "docs", `f${String(i).padStart(3, "0")}.txt`) }),
  );
  const wf = await stack.client.run(workflow("mcp-reads", tasks, 60_000, { limits: { maxCalls: 1000, maxConcurrency: 0 } }));
  expect(wf.state).toBe(WorkflowState.WORKFLOW_STATE_SUCCEEDED);
  for (const [i, t] of wf.tasks.entries()) expect((t.output as { text: string }).text).toBe(`file ${i}\n${"x".repeat(i)}\n`);
  const workers = new Set(wf.tasks.map((t) => t.worker));
  expect(workers.size).toBe(4);
  for (const worker of workers) expect(worker).toMatch(/^mcp-fs-/);
}, 120_000);

it("returns path errors as tool errors with the upstream's text; bad arguments and unknown tools are INVALID_ARGUMENT naming them", async () => {
  const outside = await stack.client
    .call({ tool: "fs.read_text_file", args: { path: "/etc/hostname" } })
    .catch((err: { code: number; details: string }) => err);
  expect(outside).toMatchObject({ code: status.PERMISSION_DENIED });
  expect((outside as { details: string }).details).toMatch(/fs\.read_text_file: .*(denied|outside)/i);
  const missing = await stack.client
    .call({ tool: "fs.read_text_file", args: { path: join(tree, "docs", "nope.txt") } })
    .catch((err: { code: number; details: string }) => err);
  expect(missing).toMatchObject({ code: status.NOT_FOUND });
  expect((missing as { details: string }).details).toMatch(/ENOENT|no such file/i);
  const badArgs = await stack.client
    .call({ tool: "fs.read_text_file", args: { path: 42 } })
    .catch((err: { code: number; details: string }) => err);
  expect(badArgs).toMatchObject({ code: status.INVALID_ARGUMENT });
  expect((badArgs as { details: string }).details).toMatch(/args\.path: must be string/);
  const unknown = await stack.client.call({ tool: "fs.nope", args: {} }).catch((err: { code: number; details: string }) => err);
  expect(unknown).toMatchObject({ code: status.INVALID_ARGUMENT });
  expect((unknown as { details: string }).details).toMatch(/unknown tool "fs\.nope"/);
});

it("restarts an upstream killed mid-run while the run completes by retries", async () => {
  const before = serverPids(tree);
  expect(before).toHaveLength(4);
  const tasks = Array.from({ length: FILES }, (_, i) =>
    task(
      `r${i}`,
      "fs.read_text_file",
      { path: join(tree, "docs", `f${String(i).padStart(3, "0")}.txt`) },
      { retry: { maxAttempts: 5, initialBackoffMs: 100, backoffMultiplier: 2, maxBackoffMs: 1000 } },
    ),
  );
  let succeeded = 0;
  let retried = 0;
  let killed: number | undefined;
  const wf = await stack.client.run(
    workflow("mcp-reads-kill", tasks, 60_000, { limits: { maxCalls: 1000, maxConcurrency: 8 } }),
    (event) => {
      if (event.type === EventType.EVENT_TYPE_TASK_SUCCEEDED) succeeded += 1;
      if (event.type === EventType.EVENT_TYPE_TASK_RETRYING) {
        retried += 1;
        expect(event.message).toMatch(/UNAVAILABLE/);
      }
      if (killed === undefined && succeeded >= 20) {
        killed = before[0]!;
        process.kill(killed, "SIGKILL");
      }
    },
  );
  expect(killed).toBeDefined();
  // Calls the killed server had in flight failed with UNAVAILABLE and went again (none when it happened to be idle).
  expect(retried).toBeGreaterThanOrEqual(0);
  expect(wf.state).toBe(WorkflowState.WORKFLOW_STATE_SUCCEEDED);
  expect(wf.tasks.every((t) => t.state === TaskState.TASK_STATE_SUCCEEDED)).toBe(true);
  // The instance started a new server in place of the killed one: four again, the killed one not among them.
  const after = await waitFor(
    () => {
      const pids = serverPids(tree);
      return pids.length === 4 && !pids.includes(killed!) ? pids : undefined;
    },
    20_000,
    "the killed upstream replaced",
  );
  expect(after).not.toContain(killed);
  expect(await backend.current("mcp-fs")).toBe(4);
}, 120_000);

/**
 * A Streamable HTTP server written here (the SDK's McpServer) as the pool
 * mcp-demo, one instance as a real process: a call past its deadline is
 * cancelled upstream (notifications/cancelled reaches the tool's signal), and
 * a tool added at run time (notifications/tools/list_changed) joins the catalog.
 */
describe("an MCP server over Streamable HTTP", () => {
  const servers: McpServer[] = [];
  const cancelled: number[] = [];
  let http: Server;
  let worker: ChildProcess;
  let url: string;

  async function stopWorker(): Promise<void> {
    if (!worker || worker.exitCode !== null || worker.signalCode !== null) return;
    const exited = new Promise((resolve) => worker.once("exit", resolve));
    worker.kill("SIGTERM");
    await exited;
  }

  function demoServer(): McpServer {
    const server = new McpServer({ name: "demo", version: "1.0.0" });
    server.registerTool(
      "slow",
      { description: "Waits ms, honouring cancellation", inputSchema: { ms: z.number() } },
      async ({ ms }, extra) => {
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, ms);
          extra.signal.addEventListener("abort", () => {
            clearTimeout(timer);
            cancelled.push(ms);
            resolve();
          });
        });
        return { content: [{ type: "text", text: `slept ${ms}` }] };
      },
    );
    servers.push(server);
    return server;
  }

  beforeAll(async () => {
    const sessions = new Map<string, StreamableHTTPServerTransport>();
    http = createServer((req, res) => {
      void (async () => {
        const chunks: Buffer[] = [];
        for await (const chunk of req) chunks.push(chunk as Buffer);
        const body = chunks.length > 0 ? JSON.parse(Buffer.concat(chunks).toString("utf8")) : undefined;
        const id = req.headers["mcp-session-id"];
        let transport = typeof id === "string" ? sessions.get(id) : undefined;
        if (!transport) {
          const fresh = new StreamableHTTPServerTransport({
            sessionIdGenerator: () => randomUUID(),
            onsessioninitialized: (sid) => void sessions.set(sid, fresh),
          });
          await demoServer().connect(fresh);
          transport = fresh;
        }
        await transport.handleRequest(req, res, body);
      })().catch(() => res.end());
    });
    await new Promise<void>((resolve) => http.listen(0, "127.0.0.1", resolve));
    url = `http://127.0.0.1:${(http.address() as AddressInfo).port}/mcp`;
    worker = spawnService("mcp-pool", {
      TOOLMESH_NATS_URL: stack.nats.url,
      TOOLMESH_MCP_POOLS: JSON.stringify({ demo: { url } }),
      TOOLMESH_METRICS_INTERVAL_MS: "200",
    });
    await waitFor(async () => (await stack.client.listTools()).some((t) => t.name === "demo.slow"), 60_000, "demo.slow in ListTools");
  }, 120_000);

  afterAll(async () => {
    await stopWorker();
    for (const server of servers) await server.close().catch(() => undefined);
    http?.closeAllConnections();
    await new Promise((resolve) => http?.close(resolve));
  });

  it("runs a call, and cancels one upstream when its deadline passes", async () => {
    const ok = await stack.client.call({ tool: "demo.slow", args: { ms: 10 } });
    expect(ok.output).toMatchObject({ text: "slept 10" });
    const late = await stack.client
      .call({ tool: "demo.slow", args: { ms: 30_000 }, timeoutMs: 1000 })
      .catch((err: { code: number }) => err);
    expect(late).toMatchObject({ code: status.DEADLINE_EXCEEDED });
    await waitFor(() => cancelled.includes(30_000), 10_000, "notifications/cancelled upstream");
  });

  it("learns a tool the server adds at run time", async () => {
    for (const server of servers) {
      if (!server.isConnected()) continue;
      server.registerTool("added", { description: "Added later", inputSchema: { n: z.number() } }, async ({ n }) => ({
        content: [{ type: "text", text: String(n * 2) }],
      }));
    }
    await waitFor(async () => (await stack.client.listTools()).some((t) => t.name === "demo.added"), 20_000, "demo.added in ListTools");
    expect((await stack.client.call({ tool: "demo.added", args: { n: 21 } })).output).toMatchObject({ text: "42" });
    const bad = await stack.client.call({ tool: "demo.added", args: { n: "x" } }).catch((err: { code: number; details: string }) => err);
    expect(bad).toMatchObject({ code: status.INVALID_ARGUMENT, details: expect.stringMatching(/args\.n: must be number/) });
  });

  it("is scaled by the autoscaler like any pool: a backlog of slow calls adds instances, every call succeeds", async () => {
    await stopWorker();
    // Two calls at a time per instance, so 40 calls of 300 ms are work for more than one.
    const backend = new LocalProcessBackend({
      natsUrl: stack.nats.url,
      log,
      drainGraceMs: 5000,
      env: { TOOLMESH_METRICS_INTERVAL_MS: "200" },
      mcpPools: { demo: { url, args: [], env: {}, headers: {}, min: 1, max: 3, minLimit: 2, maxLimit: 2 } },
    });
    const autoscaler = await startAutoscaler({
      nc: stack.nc,
      backend,
      log,
      registry: createRegistry("mcp-autoscaler-test"),
      pools: ["mcp-demo"],
      bounds: new Map([["mcp-demo", { min: 1, max: 3 }]]),
      maxInstances: 10,
      intervalMs: 500,
      targetDrainS: 1,
      scaleDownWindowMs: 60_000,
      scaleDownStep: 1,
      defaultTaskMs: 300,
      staleMs: 2000,
    });
    try {
      await waitFor(
        async () => (await stack.client.capacity()).pools.find((p) => p.pool === "mcp-demo" && p.instances === 1),
        60_000,
        "the minimum instance",
      );
      const calls = Promise.all(
        Array.from({ length: 40 }, (_, i) => stack.client.call({ tool: "demo.slow", args: { ms: 300 + i }, timeoutMs: 60_000 })),
      );
      await waitFor(async () => (await backend.current("mcp-demo")) > 1, 60_000, "a scale-up of mcp-demo");
      const results = await calls;
      expect(results.map((r) => (r.output as { text: string }).text)).toEqual(Array.from({ length: 40 }, (_, i) => `slept ${300 + i}`));
    } finally {
      await autoscaler.close();
      await backend.close();
    }
  }, 180_000);
});

it("toolmesh up --mcp makes the server a pool its stack waits for; call reaches it; down stops it and its servers", async () => {
  const marker = uniqueMarker();
  const data = realpathSync(mkdtempSync(join(tmpdir(), "tm-up-mcp-")));
  writeFileSync(join(data, "a.txt"), "through up\n");
  const env = { ...marker.env, TOOLMESH_STATE_DIR: mkdtempSync(join(tmpdir(), "toolmesh-up-")), TOOLMESH_NATS_URL: "" };
  const up = startCli(["up", "--root", data, "--grpc-port", "0", "--mcp", `files=${process.execPath} ${serverScript} ${data}`], env, {
    ownGroup: true,
  });
  try {
    await up.waitForStderr(/up; Ctrl-C/);
    expect(up.stderr()).toMatch(/managing .*mcp-files/);
    expect(serverPids(data)).toHaveLength(1);
    const call = await runCli(["call", "files.read_text_file", "--args", JSON.stringify({ path: join(data, "a.txt") })], env);
    expect(call.stderr).toBe("");
    expect(JSON.parse(call.stdout)).toMatchObject({ text: "through up\n" });
    const down = await runCli(["down"], env);
    expect(down.code).toBe(0);
    expect(await up.exited).toBe(0);
    expect(await waitUntilNoneLeft(marker, 10_000)).toEqual([]);
    expect(serverPids(data)).toEqual([]);
  } finally {
    if (up.child.exitCode === null) process.kill(-up.child.pid!, "SIGINT");
    rmSync(data, { recursive: true, force: true });
  }
}, 240_000);
