import type { Client } from "@modelcontextprotocol/sdk/client/index.js";
import type { CallToolResult, Progress } from "@modelcontextprotocol/sdk/types.js";
import type { ServiceProcess } from "@toolmesh/local";
import { TaskState, WorkflowState } from "@toolmesh/proto";
import { waitFor } from "@toolmesh/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { firstText, httpClient, startGatewayProcess, startMcpStack } from "../support/mcp.js";

/**
 * apps/mcp-gateway as a real process in front of a real stack whose
 * coordinator wants a token: MCP over streamable HTTP with the SDK's client,
 * the bearer token (the coordinator's by default) and the Origin check.
 */
const TOKEN = "mcp-http-test-token-0123456789";
const ALLOWED = "http://localhost:6274";
let env: Awaited<ReturnType<typeof startMcpStack>>;
let gateway: ServiceProcess;
let url: string;
let mcp: Client;

const INITIALIZE = {
  jsonrpc: "2.0",
  id: 1,
  method: "initialize",
  params: { protocolVersion: "2025-11-25", capabilities: {}, clientInfo: { name: "raw", version: "1" } },
};

const post = (headers: Record<string, string>): Promise<Response> =>
  fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json", accept: "application/json, text/event-stream", ...headers },
    body: JSON.stringify(INITIALIZE),
  });

beforeAll(async () => {
  env = await startMcpStack({ TOOLMESH_GRPC_TOKEN: TOKEN });
  ({ service: gateway, url } = await startGatewayProcess({
    TOOLMESH_COORDINATOR_ADDRESS: env.address,
    TOOLMESH_GRPC_TOKEN: TOKEN,
    TOOLMESH_MCP_ALLOWED_ORIGINS: ALLOWED,
    // The console's pools page reads the metrics bus.
    TOOLMESH_NATS_URL: env.stack.nats.url,
  }));
  mcp = await httpClient(url, { authorization: `Bearer ${TOKEN}` });
});

afterAll(async () => {
  await mcp?.close();
  await gateway?.stop(5000);
  await env?.stop();
});

describe("the MCP gateway (streamable HTTP)", () => {
  it("listens on loopback at /mcp", () => {
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/mcp$/);
  });

  it("refuses to start with a bad setting, naming the variable", async () => {
    const failed = startGatewayProcess({
      TOOLMESH_COORDINATOR_ADDRESS: env.address,
      TOOLMESH_MCP_TOKEN: "short",
      TOOLMESH_MCP_PORT: "70000",
    });
    await expect(failed).rejects.toThrow(/TOOLMESH_MCP_TOKEN: use a token of at least 16 characters/);
    await expect(failed).rejects.toThrow(/TOOLMESH_MCP_PORT/);
  });

  it("refuses a request without the token (401) or with a wrong one", async () => {
    const none = await post({});
    expect(none.status).toBe(401);
    expect(none.headers.get("www-authenticate")).toMatch(/^Bearer/);
    expect((await post({ authorization: "Bearer not-the-token-at-all" })).status).toBe(401);
  });

  it("serves the web console beside /mcp, behind the same token and Origin check, with the pools from NATS", async () => {
    const base = url.replace(/\/mcp$/, "");
    const bearer = { authorization: `Bearer ${TOKEN}` };
    expect((await fetch(`${base}/console/`)).status).toBe(200);
    expect((await fetch(`${base}/console/api/workflows`)).status).toBe(401);
    expect((await fetch(`${base}/console/api/workflows`, { headers: { ...bearer, origin: "http://evil.example" } })).status).toBe(403);
    expect((await fetch(`${base}/console/api/workflows`, { headers: { ...bearer, origin: ALLOWED } })).status).toBe(200);
    await expect
      .poll(
        async () =>
          ((await (await fetch(`${base}/console/api/pools`, { headers: bearer })).json()) as { rows: { pool: string }[] }).rows.map(
            (r) => r.pool,
          ),
        {
          timeout: 20_000,
        },
      )
      .toEqual(expect.arrayContaining(["codebase", "test"]));
  });

  it("refuses a foreign Origin (403), allows a listed one and requests without Origin", async () => {
    const foreign = await post({ authorization: `Bearer ${TOKEN}`, origin: "http://evil.example" });
    expect(foreign.status).toBe(403);
    const listed = await post({ authorization: `Bearer ${TOKEN}`, origin: ALLOWED });
    expect(listed.status).toBe(200);
    expect(listed.headers.get("mcp-session-id")).toBeTruthy();
    await listed.body?.cancel();
  });

  it("answers a CORS preflight from an allowed Origin before the token, exposing the session id", async () => {
    const res = await fetch(url, {
      method: "OPTIONS",
      headers: {
        origin: ALLOWED,
        "access-control-request-method": "POST",
        "access-control-request-headers": "authorization, content-type",
      },
    });
    expect(res.status).toBe(204);
    expect(res.headers.get("access-control-allow-origin")).toBe(ALLOWED);
    expect(res.headers.get("access-control-allow-headers")).toContain("authorization");
    expect(res.headers.get("access-control-expose-headers")).toContain("mcp-session-id");
    const foreign = await fetch(url, { method: "OPTIONS", headers: { origin: "http://evil.example" } });
    expect(foreign.status).toBe(403);
    expect(foreign.headers.get("access-control-allow-origin")).toBeNull();
  });

  it("rejects a request for an unknown session (404)", async () => {
    const res = await fetch(url, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        accept: "application/json, text/event-stream",
        authorization: `Bearer ${TOKEN}`,
        "mcp-session-id": "no-such-session",
      },
      body: JSON.stringify({ jsonrpc: "2.0", id: 2, method: "tools/list" }),
    });
    expect(res.status).toBe(404);
  });

  it("lists tools, prompts and resource templates", async () => {
    const { tools } = await mcp.listTools();
    expect(tools.map((t) => t.name)).toEqual(expect.arrayContaining(["parallel", "workflow", "code_grep", "test_echo"]));
    for (const tool of tools) expect(tool.name).toMatch(/^[a-zA-Z0-9_-]{1,64}$/);
    expect((await mcp.listPrompts()).prompts).toHaveLength(4);
    expect((await mcp.listResourceTemplates()).resourceTemplates).toHaveLength(2);
  });

  it("runs parallel calls with progress notifications on the request's stream", async () => {
    const progress: Progress[] = [];
    const result = (await mcp.callTool(
      {
        name: "parallel",
        arguments: {
          calls: [
            { tool: "test_echo", args: { value: "a" } },
            { tool: "test_sleep", args: { ms: "x" } },
            { tool: "test.echo", args: { value: "c" } },
          ],
        },
      },
      undefined,
      { onprogress: (p) => progress.push(p), timeout: 50_000 },
    )) as CallToolResult;
    const { results } = result.structuredContent as {
      results: Array<{ ok: boolean; output?: unknown; error?: { code: string; message: string } }>;
    };
    expect(results.map((r) => r.ok)).toEqual([true, false, true]);
    expect(results[1]!.error?.code).toBe("INVALID_ARGUMENT");
    expect(results[1]!.error?.message).toMatch(/ms/);
    expect(results[2]!.output).toEqual({ value: "c" });
    expect(progress.at(-1)).toMatchObject({ progress: 3, total: 3 });
  });

  it("cancelling a call cancels its workflow in toolmesh", async () => {
    const abort = new AbortController();
    const pending = mcp.callTool({ name: "test_sleep", arguments: { ms: 60_000 } }, undefined, {
      signal: abort.signal,
      onprogress: () => undefined,
    });
    pending.catch(() => undefined);
    const id = await waitFor(
      async () => {
        const { workflows } = await env.stack.client.list(20);
        const found = workflows.find((w) => w.name === "mcp test.sleep");
        return found && (await env.stack.client.get(found.id)).tasks[0]?.state === TaskState.TASK_STATE_RUNNING ? found.id : undefined;
      },
      20_000,
      "test.sleep to run",
    );
    abort.abort();
    await expect(pending).rejects.toThrow();
    await waitFor(
      async () => (await env.stack.client.get(id)).state === WorkflowState.WORKFLOW_STATE_CANCELLED,
      20_000,
      "the workflow to be cancelled",
    );
  });

  it("calls a catalog tool and a template", async () => {
    const echo = (await mcp.callTool({ name: "test_echo", arguments: { value: 42 } })) as CallToolResult;
    expect(echo.structuredContent).toEqual({ value: 42 });
    const report = (await mcp.callTool({ name: "explore_codebase", arguments: { root: "tree", question: "queues" } }, undefined, {
      timeout: 50_000,
    })) as CallToolResult;
    expect(report.isError, firstText(report)).toBeFalsy();
    expect(firstText(report)).toMatch(/queue/i);
  });
});
