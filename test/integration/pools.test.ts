import { bashConfigSchema, createBashTools } from "@toolmesh/bash";
import { createCodebaseTools, parseRoots } from "@toolmesh/codebase";
import { loadConfig } from "@toolmesh/core";
import { EventType, WorkflowState } from "@toolmesh/proto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { task, workflow } from "../support/spec.js";
import { repoRoot, startStack, type TestStack } from "../support/stack.js";

let stack: TestStack;
let workspace: string;
beforeAll(async () => {
  stack = await startStack();
  workspace = await mkdtemp(join(tmpdir(), "toolmesh-pools-"));
  const code = createCodebaseTools({ roots: parseRoots([repoRoot]) });
  const bash = await createBashTools(loadConfig("bash", bashConfigSchema, { TOOLMESH_BASH_WORKSPACE: workspace }));
  await stack.addWorker("codebase", { "code.glob": code["code.glob"], "code.read": code["code.read"] });
  await stack.addWorker("bash", { "bash.exec": bash["bash.exec"] });
});
afterAll(async () => {
  await stack?.stop();
  await rm(workspace, { recursive: true, force: true });
});

it("a workflow across the codebase and bash pools runs end to end through the coordinator", async () => {
  const wf = await stack.client.run(
    workflow("mixed", [
      task("protos", "code.glob", { patterns: ["*.proto"] }),
      task("head", "code.read", { path: "proto/toolmesh/v1/coordinator.proto", endLine: 3 }, { dependsOn: ["protos"] }),
      task("shell", "bash.exec", { command: "echo $((6 * 7)); id -u" }),
    ]),
  );
  expect(wf.state).toBe(WorkflowState.WORKFLOW_STATE_SUCCEEDED);
  const out = Object.fromEntries(wf.tasks.map((t) => [t.id, t.output]));
  expect(out.protos?.files).toEqual([expect.objectContaining({ path: "proto/toolmesh/v1/coordinator.proto" })]);
  expect(String(out.head?.content)).toContain("toolmesh public API");
  expect(out.shell).toMatchObject({ exitCode: 0, stdout: "42\n65534\n", sandbox: "bwrap" });
  expect(new Set(wf.tasks.map((t) => t.pool))).toEqual(new Set(["codebase", "bash"]));
});

it("a watcher sees a running command's output live, as TASK_OUTPUT events", async () => {
  const id = await stack.client.submit(workflow("live", [task("talk", "bash.exec", { command: "sleep 0.3; echo one; sleep 0.2; echo two >&2; sleep 0.2" })]));
  const outputs: string[] = [];
  for await (const event of stack.client.watch(id)) {
    if (event.type === EventType.EVENT_TYPE_TASK_OUTPUT) outputs.push(`${event.taskId}:${event.outputStream}:${event.output}`);
  }
  expect(outputs).toEqual(["talk:stdout:one\n", "talk:stderr:two\n"]);
  expect((await stack.client.get(id)).tasks[0]?.output).toMatchObject({ stdout: "one\n", stderr: "two\n" });
});
