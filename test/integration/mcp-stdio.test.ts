import type { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { ToolListChangedNotificationSchema, type CallToolResult, type Progress } from "@modelcontextprotocol/sdk/types.js";
import { openCatalog, publishPoolTools } from "@toolmesh/catalog";
import { TaskState, WorkflowState } from "@toolmesh/proto";
import { waitFor } from "@toolmesh/testing";
import { spawn } from "node:child_process";
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cliScript } from "../support/cli-process.js";
import { firstText, startMcpStack, stdioClient } from "../support/mcp.js";

/**
 * `toolmesh mcp` over stdio, driven by the MCP SDK's own client against a
 * real stack (nats-server, coordinator, the test pool and a codebase pool
 * over a small temp tree).
 */
let env: Awaited<ReturnType<typeof startMcpStack>>;
let mcp: Client;
let mcpStderr: () => string;
let listChanged = 0;

beforeAll(async () => {
  env = await startMcpStack();
  ({ client: mcp, stderr: mcpStderr } = await stdioClient(env.address, { TOOLMESH_MCP_TOOLS_POLL_MS: "200" }));
  mcp.setNotificationHandler(ToolListChangedNotificationSchema, () => void (listChanged += 1));
});

afterAll(async () => {
  await mcp?.close();
  await env?.stop();
});

const call = (name: string, args: Record<string, unknown>, options: Parameters<Client["callTool"]>[2] = {}): Promise<CallToolResult> =>
  mcp.callTool({ name, arguments: args }, undefined, { timeout: 50_000, ...options }) as Promise<CallToolResult>;

describe("toolmesh mcp (stdio)", () => {
  it("lists every tool under a valid name, with schemas and annotations from ListTools", async () => {
    const { tools } = await mcp.listTools();
    const names = tools.map((t) => t.name);
    for (const name of names) expect(name).toMatch(/^[a-zA-Z0-9_-]{1,64}$/);
    expect(new Set(names).size).toBe(names.length);
    expect(names).toEqual(
      expect.arrayContaining([
        "parallel",
        "workflow",
        "explore_codebase",
        "explore_web",
        "think_layers",
        "start",
        "code_grep",
        "code_read",
        "test_echo",
        "test_sleep",
        "bash_exec",
        "web_search",
      ]),
    );
    const byName = new Map(tools.map((t) => [t.name, t]));
    expect(byName.get("code_grep")?.annotations).toMatchObject({ readOnlyHint: true, destructiveHint: false, openWorldHint: false });
    expect(byName.get("bash_exec")?.annotations).toMatchObject({ readOnlyHint: false, destructiveHint: true });
    expect(byName.get("web_search")?.annotations).toMatchObject({ openWorldHint: true });
    expect(byName.get("test_sleep")?.inputSchema).toMatchObject({ type: "object", properties: { ms: { type: "integer" } } });
    expect(byName.get("code_grep")?.description).toContain("code.grep");
    // Nothing but JSON-RPC went to stdout: the client parsed every line of it. Our own line went to stderr.
    await waitFor(() => mcpStderr().includes("serving MCP on stdio"), 10_000, "toolmesh mcp's line on stderr");
  });

  it("writes nothing but JSON-RPC messages on stdout", async () => {
    const child = spawn(process.execPath, [cliScript, "mcp", "--address", env.address], { stdio: ["pipe", "pipe", "pipe"] });
    try {
      let out = "";
      child.stdout.on("data", (d: Buffer) => (out += d.toString()));
      const send = (message: unknown): void => void child.stdin.write(`${JSON.stringify(message)}\n`);
      send({
        jsonrpc: "2.0",
        id: 1,
        method: "initialize",
        params: { protocolVersion: "2025-11-25", capabilities: {}, clientInfo: { name: "raw", version: "1" } },
      });
      send({ jsonrpc: "2.0", method: "notifications/initialized" });
      send({ jsonrpc: "2.0", id: 2, method: "tools/list" });
      send({ jsonrpc: "2.0", id: 3, method: "tools/call", params: { name: "test_echo", arguments: { value: "x" } } });
      await waitFor(() => out.includes('"id":3'), 20_000, "the tools/call answer");
      const lines = out.trim().split("\n");
      for (const line of lines) expect(JSON.parse(line)).toMatchObject({ jsonrpc: "2.0" });
      expect(JSON.parse(lines.find((l) => l.includes('"id":1'))!).result.protocolVersion).toBe("2025-11-25");
    } finally {
      child.kill();
    }
  });

  it("lists tools an MCP pool publishes at run time, under mapped names, after tools/list_changed", async () => {
    expect(mcp.getServerCapabilities()?.tools).toEqual({ listChanged: true });
    const kv = await openCatalog(env.stack.nc);
    const before = listChanged;
    const entry = (tool: string, shareable: boolean) => ({
      name: `notes.${tool}`,
      pool: "mcp-notes" as const,
      upstreamTool: tool,
      description: `Upstream ${tool}`,
      inputSchema: { type: "object", properties: { path: { type: "string" } }, required: ["path"] },
      shareable,
      destructive: !shareable,
      openWorld: false,
      minLimit: 1,
      maxLimit: 4,
      instanceId: "test",
      updatedAtMs: Date.now(),
    });
    await publishPoolTools(kv, "notes", [entry("read_file", true), entry("write.file", false)]);
    await waitFor(() => listChanged > before, 20_000, "notifications/tools/list_changed");
    const tools = await waitFor(
      async () => {
        const { tools: now } = await mcp.listTools();
        return now.some((t) => t.name === "notes_write_file") ? now : undefined;
      },
      20_000,
      "the pool's tools in tools/list",
    );
    const read = tools.find((t) => t.name === "notes_read_file")!;
    expect(read.title).toBe("notes.read_file");
    expect(read.annotations).toMatchObject({ readOnlyHint: true, destructiveHint: false });
    expect(read.inputSchema).toMatchObject({ required: ["path"] });
    expect(tools.find((t) => t.name === "notes_write_file")?.annotations).toMatchObject({ destructiveHint: true });
    await publishPoolTools(kv, "notes", []);
  });

  it("calls a catalog tool by its MCP name: text and structuredContent", async () => {
    const result = await call("test_echo", { value: { hello: "mcp" } });
    expect(result.isError).toBeFalsy();
    expect(result.structuredContent).toEqual({ value: { hello: "mcp" } });
    expect(JSON.parse(firstText(result))).toEqual({ value: { hello: "mcp" } });
  });

  it("runs parallel calls in order; one failure does not fail the others", async () => {
    const result = await call("parallel", {
      calls: [
        { tool: "test_echo", args: { value: 1 } },
        { tool: "test.fail", args: { code: "NOT_FOUND", message: "no such thing" } },
        { tool: "code.glob", args: { root: "tree", patterns: ["src/*.ts"] } },
      ],
    });
    expect(result.isError).toBeFalsy();
    const { results, succeeded, failed } = result.structuredContent as {
      results: Array<{ tool: string; ok: boolean; output?: unknown; error?: { code: string; message: string } }>;
      succeeded: number;
      failed: number;
    };
    expect([succeeded, failed]).toEqual([2, 1]);
    expect(results.map((r) => [r.tool, r.ok])).toEqual([
      ["test.echo", true],
      ["test.fail", false],
      ["code.glob", true],
    ]);
    expect(results[0]!.output).toEqual({ value: 1 });
    expect(results[1]!.error).toMatchObject({ code: "NOT_FOUND" });
    expect(JSON.stringify(results[2]!.output)).toContain("lease.ts");
  });

  it("runs a whole workflow and returns its report's Markdown, with progress notifications", async () => {
    const progress: Progress[] = [];
    const result = await call(
      "workflow",
      {
        spec: {
          name: "mcp-report",
          tasks: [
            { id: "grep", tool: "code_grep", args: { root: "tree", pattern: "lease" } },
            { id: "report", tool: "synth.report", args: { title: "Leases in the tree" }, dependsOn: ["grep"] },
          ],
        },
      },
      { onprogress: (p) => progress.push(p) },
    );
    expect(result.isError).toBeFalsy();
    expect(firstText(result)).toContain("Leases in the tree");
    expect(firstText(result)).toContain("lease.ts");
    expect(result.structuredContent).toMatchObject({ state: "succeeded", report: { markdown: expect.any(String) } });
    expect(progress.length).toBeGreaterThan(0);
    expect(progress.at(-1)).toMatchObject({ progress: 2, total: 2 });
    expect(progress.some((p) => /codebase|synth/.test(p.message ?? ""))).toBe(true);
    for (let i = 1; i < progress.length; i++) expect(progress[i]!.progress).toBeGreaterThan(progress[i - 1]!.progress);
  });

  it("runs a template and returns its report", async () => {
    const progress: Progress[] = [];
    const result = await call(
      "explore_codebase",
      { root: "tree", question: "where is the lease renewed", maxFiles: 20 },
      { onprogress: (p) => progress.push(p) },
    );
    expect(result.isError, firstText(result)).toBeFalsy();
    // Totals start at the template's task graph and grow with its fan-outs; the last step is all of them.
    expect(progress[0]!.total).toBeGreaterThan(3);
    expect(progress.at(-1)!.progress).toBe(progress.at(-1)!.total);
    expect(firstText(result)).toMatch(/lease/i);
    expect(result.structuredContent).toMatchObject({ state: "succeeded" });
  });

  it("cancels the workflow in toolmesh when the client cancels the request", async () => {
    const name = `mcp-cancel-${randomUUID()}`;
    const abort = new AbortController();
    const started = call(
      "workflow",
      { spec: { name, tasks: [{ id: "nap", tool: "test.sleep", args: { ms: 60_000 } }] } },
      { signal: abort.signal, onprogress: () => undefined },
    );
    started.catch(() => undefined);
    const id = await waitFor(
      async () => (await env.stack.client.list(50)).workflows.find((w) => w.name === name)?.id,
      20_000,
      "the workflow to start",
    );
    await waitFor(
      async () => (await env.stack.client.get(id)).tasks[0]?.state === TaskState.TASK_STATE_RUNNING,
      20_000,
      "test.sleep to run",
    );
    abort.abort();
    await expect(started).rejects.toThrow();
    const wf = await waitFor(
      async () => {
        const now = await env.stack.client.get(id);
        return now.state === WorkflowState.WORKFLOW_STATE_CANCELLED ? now : undefined;
      },
      20_000,
      "the workflow to be cancelled",
    );
    expect(wf.state).toBe(WorkflowState.WORKFLOW_STATE_CANCELLED);
  });

  it("parallel: a call with bad arguments gets its own error, the others run", async () => {
    const result = await call("parallel", {
      calls: [
        { tool: "test_echo", args: { value: "a" } },
        { tool: "test.sleep", args: { ms: "soon" } },
        { tool: "no_such_tool", args: {} },
        { tool: "test.echo", args: { value: "d" } },
      ],
    });
    expect(result.isError).toBeFalsy();
    const { results, succeeded, failed } = result.structuredContent as {
      results: Array<{ ok: boolean; output?: unknown; error?: { code: string; message: string } }>;
      succeeded: number;
      failed: number;
    };
    expect([succeeded, failed]).toEqual([2, 2]);
    expect(results.map((r) => r.ok)).toEqual([true, false, false, true]);
    expect(results[1]!.error).toMatchObject({ code: "INVALID_ARGUMENT", message: expect.stringContaining("ms") });
    expect(results[2]!.error?.code).toBe("INVALID_ARGUMENT");
    expect(results[3]!.output).toEqual({ value: "d" });
  });

  it("parallel: cancelling the request cancels its calls in toolmesh", async () => {
    const abort = new AbortController();
    const started = call(
      "parallel",
      {
        calls: [
          { tool: "test.sleep", args: { ms: 60_000 } },
          { tool: "test.sleep", args: { ms: 60_000 } },
        ],
      },
      { signal: abort.signal },
    );
    started.catch(() => undefined);
    const id = await waitFor(
      async () =>
        (await env.stack.client.list(50)).workflows.find(
          (w) => w.name === "mcp parallel (2 calls)" && w.state === WorkflowState.WORKFLOW_STATE_RUNNING,
        )?.id,
      20_000,
      "the parallel round to start",
    );
    await waitFor(
      async () => (await env.stack.client.get(id)).tasks.every((t) => t.state === TaskState.TASK_STATE_RUNNING),
      20_000,
      "both sleeps to run",
    );
    abort.abort();
    await expect(started).rejects.toThrow();
    const wf = await waitFor(
      async () => {
        const now = await env.stack.client.get(id);
        return now.state === WorkflowState.WORKFLOW_STATE_CANCELLED ? now : undefined;
      },
      20_000,
      "the round to be cancelled",
    );
    expect(wf.tasks.map((t) => t.state)).toEqual([TaskState.TASK_STATE_CANCELLED, TaskState.TASK_STATE_CANCELLED]);
  });

  it("answers bad arguments with isError naming the field", async () => {
    const result = await call("test_sleep", { ms: "soon" });
    expect(result.isError).toBe(true);
    expect(firstText(result)).toBe("INVALID_ARGUMENT: bad arguments for test.sleep: args.ms: Expected number, received string");
    expect(result.structuredContent).toMatchObject({ error: { code: "INVALID_ARGUMENT", message: expect.stringContaining("args.ms") } });
    const unknown = await call("no_such_tool", {});
    expect(unknown.isError).toBe(true);
    expect(firstText(unknown)).toMatch(/^NOT_FOUND/);
  });

  it("gives large outputs as resource links, readable with resources/read", async () => {
    const result = await call("test_echo", { value: "big", padBytes: 300 * 1024 });
    expect(result.isError).toBeFalsy();
    const link = result.content.find((c) => c.type === "resource_link");
    expect(link).toBeDefined();
    const uri = (link as { uri: string }).uri;
    expect(uri).toMatch(/^toolmesh:\/\/workflows\/[^/]+\/tasks\/call\/output$/);
    const read = await mcp.readResource({ uri });
    const text = (read.contents[0] as { text: string }).text;
    expect(text.length).toBeGreaterThan(300 * 1024);
    expect(JSON.parse(text)).toMatchObject({ value: "big" });
    const templates = await mcp.listResourceTemplates();
    expect(templates.resourceTemplates.map((t) => t.uriTemplate)).toContain("toolmesh://workflows/{workflowId}/tasks/{taskId}/output");
    const { resources } = await mcp.listResources();
    expect(resources.length).toBeGreaterThan(0);
    expect(resources[0]!.uri).toMatch(/^toolmesh:\/\/workflows\//);
  });

  it("says where it looked when the coordinator does not answer", async () => {
    const { client } = await stdioClient("127.0.0.1:1");
    try {
      await expect(client.listTools()).rejects.toThrow(/UNAVAILABLE.*nothing answers at 127\.0\.0\.1:1 \(from --address\)/);
      // Prompts need no coordinator.
      expect((await client.listPrompts()).prompts).toHaveLength(4);
    } finally {
      await client.close();
    }
  });

  it("offers the templates as prompts that lead to the matching tool", async () => {
    const { prompts } = await mcp.listPrompts();
    expect(prompts.map((p) => p.name).sort()).toEqual(["explore-codebase", "explore-web", "start", "think-layers"]);
    const explore = prompts.find((p) => p.name === "explore-codebase");
    expect(explore?.arguments?.map((a) => a.name)).toEqual(["path", "root", "question", "max-files", "max-reads"]);
    const got = await mcp.getPrompt({ name: "explore-codebase", arguments: { path: "src", question: "leases", "max-files": "50" } });
    const text = (got.messages[0]!.content as { text: string }).text;
    expect(text).toContain("`explore_codebase`");
    expect(text).toContain('"maxFiles": 50');
    await expect(mcp.getPrompt({ name: "start", arguments: {} })).rejects.toThrow(/goal is required/);
  });
});
