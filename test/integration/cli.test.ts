import { spawn } from "node:child_process";
import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { repoRoot, startStack, testHandlers, type TestStack } from "../support/stack.js";

const cli = join(repoRoot, "apps/cli/bin/toolmesh.js");

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function toolmesh(args: string[], env: Record<string, string> = {}, options: { interruptWhen?: RegExp } = {}): Promise<Run> {
  const child = spawn(process.execPath, [cli, ...args], {
    cwd: repoRoot,
    env: { ...process.env, ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
  child.stderr.on("data", (d: Buffer) => {
    stderr += d.toString();
    if (options.interruptWhen?.test(stderr)) {
      options.interruptWhen = undefined;
      child.kill("SIGINT");
    }
  });
  return new Promise((resolve) => child.on("close", (code) => resolve({ code, stdout, stderr })));
}

describe("toolmesh call and run against a running coordinator", () => {
  let stack: TestStack;
  let env: Record<string, string>;
  beforeAll(async () => {
    stack = await startStack();
    await stack.addWorker("test", testHandlers);
    env = { TOOLMESH_ADDRESS: `127.0.0.1:${stack.coordinator.port}` };
  });
  afterAll(async () => stack?.stop());

  it("top --once shows the live pool from the metrics bus", async () => {
    await stack.client.call({ tool: "test.echo", args: { value: 1 } });
    const run = await toolmesh(["top", "--once", "--refresh", "700"], { TOOLMESH_NATS_URL: stack.nats.url });
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^pool\s+repl\s+level\s+limit\s+busy\s+queue\s+calls\/s/m);
    // One in-process test worker (a fixed limit, the runtime's default outside services).
    expect(run.stdout).toMatch(/^test\s+1\s+fixed\s+\d+\s+0\s+0\s/m);
  });

  it("call prints the output as JSON", async () => {
    const run = await toolmesh(["call", "test.echo", "--args", '{"value":{"n":5}}'], env);
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout)).toEqual({ value: { n: 5 } });
  });

  it("call reports a tool's failure with its code, and bad --args before calling", async () => {
    const failed = await toolmesh(["call", "test.fail", "--args", '{"code":"PERMISSION_DENIED","message":"outside the root"}'], env);
    expect(failed.code).toBe(1);
    expect(failed.stderr).toContain("error: PERMISSION_DENIED: test.fail: outside the root");
    const bad = await toolmesh(["call", "test.echo", "--args", "{nope"], env);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--args is not valid JSON/);
  });

  it("run executes a YAML workflow with progress on stderr and the result on stdout", async () => {
    const dir = await mkdtemp(join(tmpdir(), "toolmesh-cli-"));
    const file = join(dir, "wf.yaml");
    await writeFile(
      file,
      "name: cli-test\ntasks:\n  - id: first\n    tool: test.echo\n    args: { value: 1 }\n  - id: second\n    tool: test.sleep\n    args: { ms: 20 }\n    dependsOn: [first]\n",
    );
    const run = await toolmesh(["run", file], env);
    expect(run.code).toBe(0);
    expect(run.stderr).toMatch(/✓ first \(test\.echo\)/);
    expect(run.stderr).toMatch(/✓ second \(test\.sleep\)/);
    expect(run.stdout).toMatch(/workflow cli-test \([\w-]+\): SUCCEEDED/);
    const json = await toolmesh(["run", file, "--json"], env);
    expect(JSON.parse(json.stdout).tasks.map((t: { id: string }) => t.id)).toEqual(["first", "second"]);

    await writeFile(file, "name: broken\ntasks:\n  - id: a\n    tool: test.echo\n    dependsOn: [a]\n");
    // Refused by the CLI's own check (the coordinator's validation), before submitting.
    const invalid = await toolmesh(["run", file], env);
    expect(invalid.code).toBe(2);
    expect(invalid.stderr).toContain(`error: ${file}: task "a" depends on itself`);
  });

  it("says how to reach the stack when nothing listens", async () => {
    const run = await toolmesh(["call", "test.echo"], { TOOLMESH_ADDRESS: "127.0.0.1:1" });
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/UNAVAILABLE: .*is the stack up\?/);
  });
});
