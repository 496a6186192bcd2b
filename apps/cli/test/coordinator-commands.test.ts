import { writeStackState } from "@toolmesh/local";
import { TaskState, Workflow, WorkflowState } from "@toolmesh/proto";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { stripVTControlCharacters } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { workflowJson } from "../src/json-output.js";
import { tempDir, toolmesh } from "./support/cli.js";
import { startFakeCoordinator, type FakeCoordinator } from "./support/fake-coordinator.js";

const workflow: Partial<Workflow> = {
  id: "wf-7",
  name: "explore-codebase",
  state: WorkflowState.WORKFLOW_STATE_SUCCEEDED,
  createdAtMs: 1000,
  finishedAtMs: 1500,
  tasks: [
    {
      id: "glob",
      tool: "code.glob",
      pool: "codebase",
      state: TaskState.TASK_STATE_SUCCEEDED,
      output: { files: [] },
      dependsOn: [],
      attempt: 1,
      startedAtMs: 1,
      finishedAtMs: 2,
      worker: "w",
      sharedFrom: "",
      stage: "gather",
      error: undefined,
    },
    {
      id: "report",
      tool: "synth.report",
      pool: "synth",
      state: TaskState.TASK_STATE_SUCCEEDED,
      output: undefined,
      dependsOn: ["glob"],
      attempt: 1,
      startedAtMs: 3,
      finishedAtMs: 4,
      worker: "",
      sharedFrom: "",
      stage: "",
      error: undefined,
    },
  ],
};
const markdown = "# Codebase: TM\\_RESULTS\n\n- Inputs: 3\n";

describe("JSON output", () => {
  it("names enums", () => {
    const json = workflowJson(Workflow.fromPartial(workflow)) as { state: unknown; tasks: Array<{ state: unknown }> };
    expect(json.state).toBe("WORKFLOW_STATE_SUCCEEDED");
    expect(json.tasks.map((t) => t.state)).toEqual(["TASK_STATE_SUCCEEDED", "TASK_STATE_SUCCEEDED"]);
  });
});

describe("run and the templates against a coordinator", () => {
  let fake: FakeCoordinator;
  let dir: string;
  let root: string;
  beforeAll(async () => {
    fake = await startFakeCoordinator({ workflow, taskOutput: { markdown, items: 3 } });
    dir = tempDir();
    root = tempDir("toolmesh-root-");
    // The stack's state: its coordinator is the fake; the vitest worker stands for the live `up`.
    writeStackState(join(dir, "stack.json"), {
      version: 1,
      pid: process.pid,
      startedAt: new Date().toISOString(),
      natsUrl: "nats://127.0.0.1:1",
      grpcAddress: fake.address,
      roots: [
        { name: "main", dir },
        { name: "lib", dir: root },
      ],
      pools: ["codebase"],
      services: [],
      logDir: join(dir, "logs"),
    });
  });
  afterAll(async () => fake?.stop());

  it("run --json prints enum names, found through the stack's state file", async () => {
    const file = join(dir, "wf.yaml");
    writeFileSync(file, "name: x\ntasks:\n  - id: a\n    tool: test.echo\n");
    const run = await toolmesh(["run", file, "--json"], { cwd: dir, env: { TOOLMESH_STATE_DIR: dir } });
    expect(run.code).toBe(0);
    const json = JSON.parse(run.stdout);
    expect(json.state).toBe("WORKFLOW_STATE_SUCCEEDED");
    expect(json.tasks[0]).toMatchObject({ id: "glob", state: "TASK_STATE_SUCCEEDED", output: { files: [] } });
    expect(run.stdout).not.toMatch(/"state": \d/);
  });

  it("a template's --json prints enum names and the report", async () => {
    const run = await toolmesh(["explore-codebase", ".", "--json"], { cwd: dir, env: { TOOLMESH_STATE_DIR: dir } });
    expect(run.code).toBe(0);
    const json = JSON.parse(run.stdout);
    expect(json.workflow.state).toBe("WORKFLOW_STATE_SUCCEEDED");
    expect(json.workflow.tasks.map((t: { state: string }) => t.state)).toEqual(["TASK_STATE_SUCCEEDED", "TASK_STATE_SUCCEEDED"]);
    expect(json.report).toEqual({ markdown, items: 3 });
  });

  it("the report: Markdown when piped, rendered with TOOLMESH_RENDER=terminal", async () => {
    const [piped, rendered] = await Promise.all([
      toolmesh(["explore-codebase", "."], { cwd: dir, env: { TOOLMESH_STATE_DIR: dir } }),
      toolmesh(["explore-codebase", "."], { cwd: dir, env: { TOOLMESH_STATE_DIR: dir, TOOLMESH_RENDER: "terminal" } }),
    ]);
    expect(piped.stdout).toBe(`${markdown}\n`);
    expect(rendered.code).toBe(0);
    expect(stripVTControlCharacters(rendered.stdout)).toMatch(/^Codebase: TM_RESULTS\n\n\s+\* Inputs: 3\n$/);
    const bad = await toolmesh(["explore-codebase", "."], { cwd: dir, env: { TOOLMESH_STATE_DIR: dir, TOOLMESH_RENDER: "html" } });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toBe('error: TOOLMESH_RENDER must be "markdown" or "terminal", got "html"\n');
  });

  it("an absolute PATH goes to the template as the root holding it and the path inside", async () => {
    fake.templates.length = 0;
    const runs = await Promise.all([
      toolmesh(["explore-codebase", join(root, "src"), "--json"], { cwd: dir, env: { TOOLMESH_STATE_DIR: dir } }),
      toolmesh(["think-layers", "why", "--path", root, "--json"], { cwd: dir, env: { TOOLMESH_STATE_DIR: dir } }),
      toolmesh(["start", "goal", "docs", "--root", "lib", "--json"], { cwd: dir, env: { TOOLMESH_STATE_DIR: dir } }),
    ]);
    expect(runs.map((r) => r.code)).toEqual([0, 0, 0]);
    const params = fake.templates.map((t) => [t.template, t.params]);
    expect(params).toEqual(
      expect.arrayContaining([
        ["explore-codebase", { root: "lib", path: "src" }],
        ["think-layers", { goal: "why", root: "lib", path: "." }],
        ["start", { goal: "goal", root: "lib", path: "docs" }],
      ]),
    );
  });

  it("a PATH inside no root: exit 2 with one line naming the roots, nothing run", async () => {
    fake.templates.length = 0;
    const run = await toolmesh(["explore-codebase", "/etc"], { cwd: dir, env: { TOOLMESH_STATE_DIR: dir } });
    expect(run.code).toBe(2);
    const [first, blank, usage] = run.stderr.split("\n");
    expect(first).toBe(
      `error: /etc is inside none of the stack's roots: main (${dir}), lib (${root}); add one with \`npx toolmesh up --root NAME=DIR\``,
    );
    expect(blank).toBe("");
    expect(usage).toMatch(/^usage: toolmesh explore-codebase PATH/);
    expect(fake.templates).toEqual([]);
  });

  it("an absolute PATH with no running stack to map it: exit 2 saying so", async () => {
    const empty = tempDir();
    const run = await toolmesh(["explore-codebase", "/etc", "--address", fake.address], { cwd: empty, env: { TOOLMESH_STATE_DIR: empty } });
    expect(run.code).toBe(2);
    expect(run.stderr.split("\n")[0]).toBe(
      `error: cannot map /etc to a root of the stack: no toolmesh stack is running (no ${join(empty, "stack.json")}); give a path relative to the first root, or --root NAME with a path inside it`,
    );
  });
});
