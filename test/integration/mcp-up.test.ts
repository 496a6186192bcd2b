import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { waitFor } from "@toolmesh/testing";
import { describe, expect, it } from "vitest";
import { runCli, startCli, uniqueMarker, waitUntilNoneLeft } from "../support/cli-process.js";
import { httpClient, stdioClient } from "../support/mcp.js";

/**
 * `toolmesh up` starts the MCP gateway behind the run's bearer token, prints
 * its URL and records it in stack.json; `toolmesh status --mcp-config` gives
 * a client both; `toolmesh mcp` without --address or a token finds the stack
 * and its token there. The same gateway serves the web console, whose login
 * link `up` prints and `status --console` mints anew.
 */
describe("toolmesh up with MCP", () => {
  it("serves MCP over HTTP at the URL it prints to a client with the bearer token only, and toolmesh mcp finds the stack", async () => {
    const marker = uniqueMarker();
    const root = mkdtempSync(join(tmpdir(), "toolmesh-mcp-up-root-"));
    writeFileSync(join(root, "notes.md"), "# notes\nmcp over the stack\n");
    const env = {
      ...marker.env,
      TOOLMESH_STATE_DIR: mkdtempSync(join(tmpdir(), "toolmesh-up-")),
      TOOLMESH_NATS_URL: "",
      TOOLMESH_ADDRESS: "",
      TOOLMESH_GRPC_TOKEN: "",
      TOOLMESH_MCP_TOKEN: "",
    };
    const up = startCli(["up", "--root", `notes=${root}`, "--grpc-port", "0"], env, { ownGroup: true });
    try {
      await up.waitForStderr(/up; Ctrl-C/);
      const printed = /MCP gateway on (http:\/\/127\.0\.0\.1:\d+\/mcp)/.exec(up.stderr())?.[1];
      expect(printed, up.stderr()).toBeDefined();
      const state = JSON.parse(readFileSync(join(env.TOOLMESH_STATE_DIR, "stack.json"), "utf8")) as {
        mcpUrl?: string;
        services: { name: string }[];
      };
      expect(state.mcpUrl).toBe(printed);
      // Served by up's own process: no resident process more for it.
      expect(state.services.map((s) => s.name)).not.toContain("mcp-gateway");

      // Without the bearer: 401 before any MCP, whatever the client.
      const initialize = {
        jsonrpc: "2.0",
        id: 1,
        method: "initialize",
        params: { protocolVersion: "2025-11-25", capabilities: {}, clientInfo: { name: "t", version: "1" } },
      };
      const bare = await fetch(printed!, {
        method: "POST",
        headers: { "content-type": "application/json", accept: "application/json, text/event-stream" },
        body: JSON.stringify(initialize),
      });
      expect(bare.status).toBe(401);
      expect(bare.headers.get("www-authenticate")).toMatch(/^Bearer/);
      await expect(httpClient(printed!)).rejects.toThrow(/401|Unauthorized/);
      expect(up.stderr()).toContain("toolmesh status --mcp-config");

      // The web console beside /mcp: a login link with a one-time code (not the token), spent once.
      const [, consoleUrl, link] = /console on (http:\/\/127\.0\.0\.1:\d+\/console\/) — open (\S+)/.exec(up.stderr()) ?? [];
      expect(link, up.stderr()).toMatch(/\/console\/login\?code=\S+$/);
      expect(new URL(consoleUrl!).port).toBe(new URL(printed!).port);
      expect((await fetch(`${consoleUrl}api/pools`)).status).toBe(401);
      const login = await fetch(link!, { redirect: "manual" });
      expect(login.status).toBe(303);
      const session = { cookie: login.headers.get("set-cookie")!.split(";")[0]! };
      expect((await fetch(link!, { redirect: "manual" })).status).toBe(401);
      // The pools as the observer role sees them on up's own NATS: the codebase worker reports.
      await expect
        .poll(
          async () =>
            ((await (await fetch(`${consoleUrl}api/pools`, { headers: session })).json()) as { rows: { pool: string }[] }).rows.map(
              (r) => r.pool,
            ),
          {
            timeout: 20_000,
          },
        )
        .toContain("codebase");
      const fresh = await runCli(["status", "--console"], env);
      expect(fresh.code, fresh.stderr).toBe(0);
      expect((await fetch(fresh.stdout.trim(), { redirect: "manual" })).status).toBe(303);

      // What a user pastes into an HTTP client's config.
      const printedConfig = await runCli(["status", "--mcp-config"], env);
      expect(printedConfig.code, printedConfig.stderr).toBe(0);
      const server = (
        JSON.parse(printedConfig.stdout) as { mcpServers: { toolmesh: { type: string; url: string; headers: Record<string, string> } } }
      ).mcpServers.toolmesh;
      expect(server).toMatchObject({ type: "http", url: printed });
      expect(server.headers.Authorization).toMatch(/^Bearer [A-Za-z0-9_-]{32,}$/);
      const overHttp = await httpClient(printed!, server.headers);
      try {
        const { tools } = await overHttp.listTools();
        expect(tools.map((t) => t.name)).toEqual(expect.arrayContaining(["code_glob", "parallel", "explore_codebase"]));
      } finally {
        await overHttp.close();
      }

      // No --address: the stack's state file, as an agent's MCP config launches it.
      const { client, stderr } = await stdioClient(undefined, env);
      await waitFor(() => stderr().includes("from stack"), 10_000, "toolmesh mcp to say where its coordinator is from");
      try {
        const result = (await client.callTool({ name: "code_glob", arguments: { root: "notes", patterns: ["*.md"] } })) as CallToolResult;
        expect(result.isError, JSON.stringify(result)).toBeFalsy();
        expect(JSON.stringify(result.structuredContent)).toContain("notes.md");
      } finally {
        await client.close();
      }

      const down = await runCli(["down"], env);
      expect(down.code).toBe(0);
      expect(await up.exited).toBe(0);
      expect(await waitUntilNoneLeft(marker, 10_000)).toEqual([]);
    } finally {
      if (up.child.exitCode === null) process.kill(-up.child.pid!, "SIGINT");
    }
  }, 240_000);
});
