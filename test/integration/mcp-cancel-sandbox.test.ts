import { bashConfigSchema, createBashTools } from "@toolmesh/bash";
import { loadConfig } from "@toolmesh/core";
import { TaskState, WorkflowState } from "@toolmesh/proto";
import { systemTool, waitFor } from "@toolmesh/testing";
import type { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { spawnSync } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { stdioClient } from "../support/mcp.js";
import { startStack, type TestStack } from "../support/stack.js";

const bwrap = systemTool("bwrap", { package: "bubblewrap", purpose: "the bash pool's sandbox" });

let stack: TestStack;
let mcp: Client;
let workspace: string;

beforeAll(async () => {
  if (bwrap.skip) return;
  workspace = await mkdtemp(join(tmpdir(), "toolmesh-mcp-bash-"));
  stack = await startStack();
  const bash = await createBashTools(loadConfig("bash", bashConfigSchema, { TOOLMESH_BASH_WORKSPACE: workspace }));
  await stack.addWorker("bash", { "bash.exec": bash["bash.exec"] });
  ({ client: mcp } = await stdioClient(`127.0.0.1:${stack.coordinator.port}`));
});

afterAll(async () => {
  await mcp?.close();
  await stack?.stop();
  if (workspace) await rm(workspace, { recursive: true, force: true });
});

/** Pids of live processes whose command line has `needle`. */
const processesWith = (needle: string): string[] =>
  spawnSync("pgrep", ["-f", needle], { encoding: "utf8" }).stdout.split("\n").filter(Boolean);

it.skipIf(bwrap.skip)("cancelling an MCP request cancels its workflow and ends the sandboxed process", async () => {
  // A duration no other process on the machine sleeps for, to find this one by.
  const seconds = 300 + Math.floor(Math.random() * 600);
  const abort = new AbortController();
  const pending = mcp.callTool({ name: "bash_exec", arguments: { command: `sleep ${seconds}`, timeoutMs: 600_000 } }, undefined, {
    signal: abort.signal,
    timeout: 600_000,
  });
  pending.catch(() => undefined);
  await waitFor(() => processesWith(`sleep ${seconds}`).length > 0 || undefined, 30_000, "the sandboxed sleep to run");
  const id = await waitFor(
    async () => (await stack.client.list(20)).workflows.find((w) => w.name === "mcp bash.exec")?.id,
    20_000,
    "the call's workflow",
  );
  abort.abort();
  await expect(pending).rejects.toThrow();
  const wf = await waitFor(
    async () => {
      const now = await stack.client.get(id);
      return now.state === WorkflowState.WORKFLOW_STATE_CANCELLED ? now : undefined;
    },
    20_000,
    "the workflow to be cancelled",
  );
  expect(wf.tasks[0]!.state).toBe(TaskState.TASK_STATE_CANCELLED);
  await waitFor(() => processesWith(`sleep ${seconds}`).length === 0 || undefined, 20_000, "the sandboxed sleep to be gone");
});
