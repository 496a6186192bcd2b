import { Subjects, decodeJson, encodeJson, type CommandReply } from "@toolmesh/core";
import { startServiceProcess } from "@toolmesh/local";
import { spawn } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { repoRoot, startStack, type TestStack } from "../support/stack.js";

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

async function pingDetails(): Promise<string[]> {
  const details: string[] = [];
  for await (const msg of await stack.nc.requestMany(Subjects.ping, encodeJson({}), { maxWait: 500 })) {
    const reply = decodeJson<CommandReply>(msg.data);
    if (reply.service === "bash") details.push(reply.detail ?? "");
  }
  return details;
}

it("the bash service says which sandbox it runs in: in its ping reply and its log", async () => {
  const sandboxed = await startServiceProcess({ name: "bash", script, env: env() });
  try {
    expect(await pingDetails()).toEqual([expect.stringMatching(/^sandbox=bwrap limit=\d+ inFlight=0$/)]);
  } finally {
    await sandboxed.stop();
  }
  const unsandboxed = await startServiceProcess({ name: "bash", script, env: { ...env(), TOOLMESH_BASH_SANDBOX: "none" } });
  try {
    expect(await pingDetails()).toEqual([expect.stringMatching(/^sandbox=none /)]);
  } finally {
    await unsandboxed.stop();
  }
});

it("without bubblewrap it refuses to start, saying how to fix it", async () => {
  const child = spawn(process.execPath, [script], { env: { ...env(), PATH: "/nonexistent" }, stdio: ["ignore", "ignore", "pipe"] });
  let stderr = "";
  child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
  const code = await new Promise((resolve) => child.on("close", resolve));
  expect(code).toBe(1);
  expect(stderr).toMatch(/bubblewrap \(bwrap\) is not installed: install it \(apt-get install bubblewrap\) or set TOOLMESH_BASH_SANDBOX=none/);
});
