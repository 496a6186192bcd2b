import { Subjects } from "@toolmesh/core";
import { startServiceProcess } from "@toolmesh/local";
import { systemTool } from "@toolmesh/testing";
import { spawn } from "node:child_process";
import { chmod, mkdir, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { askBus } from "../support/command-bus.js";
import { repoRoot, startStack, type TestStack } from "../support/stack.js";

const bwrap = systemTool("bwrap", { package: "bubblewrap", purpose: "the bash pool's sandbox" });

let stack: TestStack;
let workspace: string;
beforeAll(async () => {
  stack = await startStack();
  workspace = await mkdtemp(join(tmpdir(), "toolmesh-bashsvc-"));
});
afterAll(async () => {
  await stack?.stop();
  await rm(workspace, { recursive: true, force: true });
});

const script = join(repoRoot, "apps/bash/dist/main.js");
const env = () => ({ TOOLMESH_NATS_URL: stack.nats.url, TOOLMESH_METRICS_PORT: "-1", TOOLMESH_BASH_WORKSPACE: workspace });

/** What the bash services answer to a ping within a second. */
async function pingDetails(): Promise<string[]> {
  const replies = await askBus(stack.nc, Subjects.ping, {}, { windowMs: 1000 });
  return replies.filter((reply) => reply.service === "bash").map((reply) => reply.detail ?? "");
}

it.skipIf(bwrap.skip)("the bash service says in its ping reply that it runs in bubblewrap", async () => {
  bwrap.require();
  const sandboxed = await startServiceProcess({ name: "bash", script, env: env() });
  try {
    await expect.poll(pingDetails, { timeout: 30_000 }).toEqual([expect.stringMatching(/^sandbox=bwrap limit=\d+ inFlight=0$/)]);
  } finally {
    await sandboxed.stop();
  }
});

it("with TOOLMESH_BASH_SANDBOX=none the ping reply says so", async () => {
  const unsandboxed = await startServiceProcess({ name: "bash", script, env: { ...env(), TOOLMESH_BASH_SANDBOX: "none" } });
  try {
    await expect.poll(pingDetails, { timeout: 30_000 }).toEqual([expect.stringMatching(/^sandbox=none /)]);
  } finally {
    await unsandboxed.stop();
  }
});

it("without bubblewrap it refuses to start, saying how to fix it", async () => {
  // process.env first: the child keeps the run marker and TMPDIR (see libs/testing/src/global-setup.ts).
  const child = spawn(process.execPath, [script], {
    env: { ...process.env, ...env(), PATH: "/nonexistent" },
    stdio: ["ignore", "ignore", "pipe"],
  });
  let stderr = "";
  child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
  const code = await new Promise((resolve) => child.on("close", resolve));
  expect(code).toBe(1);
  expect(stderr).toMatch(
    /bubblewrap \(bwrap\) is not installed: install it \(apt-get install bubblewrap\) or set TOOLMESH_BASH_SANDBOX=none/,
  );
});

it.skipIf(bwrap.skip)(
  "with a workspace the sandbox uid cannot reach it refuses to start, in one line naming the directory and bwrap's error",
  async () => {
    bwrap.require();
    const locked = join(workspace, "locked");
    await mkdir(join(locked, "ws"), { recursive: true });
    await chmod(locked, 0o700);
    const child = spawn(process.execPath, [script], {
      env: { ...process.env, ...env(), TOOLMESH_BASH_WORKSPACE: join(locked, "ws") },
      stdio: ["ignore", "ignore", "pipe"],
    });
    let stderr = "";
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    const code = await new Promise((resolve) => child.on("close", resolve));
    await chmod(locked, 0o755);
    expect(code).toBe(1);
    expect(stderr).toMatch(
      /TOOLMESH_BASH_WORKSPACE \S*locked\/ws is not usable by the sandbox uid 65534 .*bwrap: Can't find source path \S*locked\/ws: Permission denied/,
    );
  },
);
