import { execFile } from "node:child_process";
import { cp, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, describe, expect, test } from "vitest";

// proto/scripts/buf-check.mjs is what `npm run lint` (and so CI) runs: buf
// lint with the STANDARD rules, then buf breaking against the committed
// baseline. Each test runs the real buf from npm on a copy of proto/ with one
// deliberate change, so the check is shown to fail when it should.

const protoDir = fileURLToPath(new URL("../../proto/", import.meta.url));
const script = join(protoDir, "scripts", "buf-check.mjs");
const protoFile = join("toolmesh", "v1", "coordinator.proto");

interface CheckResult {
  code: number;
  output: string;
}

function bufCheck(moduleDir?: string): Promise<CheckResult> {
  return new Promise((resolve) => {
    execFile(process.execPath, [script, ...(moduleDir ? [moduleDir] : [])], { timeout: 50_000 }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === "number" ? err.code : 1) : 0;
      resolve({ code, output: `${stdout}${stderr}` });
    });
  });
}

const copies: string[] = [];
afterEach(async () => {
  await Promise.all(copies.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
});

/** proto/'s module (buf.yaml, the .proto files, the baseline) in a temp dir, with `edit` applied to coordinator.proto. */
async function copyWith(edit: (proto: string) => string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), "toolmesh-buf-"));
  copies.push(dir);
  for (const entry of ["buf.yaml", "toolmesh", "baseline"]) await cp(join(protoDir, entry), join(dir, entry), { recursive: true });
  const original = await readFile(join(dir, protoFile), "utf8");
  const edited = edit(original);
  expect(edited, "the edit changed nothing").not.toBe(original);
  await writeFile(join(dir, protoFile), edited);
  return dir;
}

describe("proto/scripts/buf-check.mjs (buf lint + buf breaking)", () => {
  test("the repository's API passes both", async () => {
    const result = await bufCheck();
    expect(result.output).toContain("buf lint and buf breaking are clean");
    expect(result.code).toBe(0);
  });

  test("an added field is neither a lint finding nor a breaking change", async () => {
    const dir = await copyWith((p) =>
      p.replace("  string stage = 9;\n}", "  string stage = 9;\n  // A note for people.\n  string note = 10;\n}"),
    );
    const result = await bufCheck(dir);
    expect(result.output).toContain("buf lint and buf breaking are clean");
    expect(result.code).toBe(0);
  });

  test("a new RPC answering with a shared message fails lint (the exceptions do not cover new RPCs)", async () => {
    const dir = await copyWith((p) =>
      p.replace(
        "  rpc ListTools(ListToolsRequest) returns (ListToolsResponse);",
        "  rpc ListTools(ListToolsRequest) returns (ListToolsResponse);\n  rpc PeekWorkflow(GetWorkflowRequest) returns (Workflow);",
      ),
    );
    const result = await bufCheck(dir);
    expect(result.output).toMatch(/RPC response type "Workflow" should be named "PeekWorkflowResponse"/);
    expect(result.output).toMatch(/"toolmesh\.v1\.GetWorkflowRequest" is used as the request or response type for multiple RPCs/);
    expect(result.output).toContain("buf lint found the problems above");
    expect(result.code).toBe(1);
  });

  test("a deleted field and a renumbered one fail buf breaking against the baseline", async () => {
    const dir = await copyWith((p) =>
      p
        .replace("  repeated string depends_on = 4;\n", "")
        .replace(
          "message GetTaskOutputRequest { string workflow_id = 1; string task_id = 2; }",
          "message GetTaskOutputRequest { string workflow_id = 1; string task_id = 3; }",
        ),
    );
    const result = await bufCheck(dir);
    expect(result.output).toMatch(/Previously present field "4" with name "depends_on" on message "TaskSpec" was deleted/);
    expect(result.output).toMatch(/Previously present field "2" with name "task_id" on message "GetTaskOutputRequest" was deleted/);
    expect(result.output).toContain("buf breaking found changes that break clients");
    expect(result.code).toBe(1);
  });

  test("a missing baseline is an error, not a pass", async () => {
    const dir = await copyWith((p) => p.replace("package toolmesh.v1;", "package toolmesh.v1;\n"));
    await rm(join(dir, "baseline"), { recursive: true });
    const result = await bufCheck(dir);
    expect(result.output).toMatch(/toolmesh-v1\.binpb is missing/);
    expect(result.code).toBe(1);
  });
});
