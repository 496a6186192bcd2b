import { TaskSpec, WorkflowSpec } from "@toolmesh/proto";
import { describe, expect, it } from "vitest";
import { InvalidSpecError, checkWorkflow } from "../src/index.js";

const spec = (tasks: Array<Partial<TaskSpec>>, extra: Partial<WorkflowSpec> = {}) =>
  WorkflowSpec.fromPartial({ name: "w", tasks: tasks.map((t) => TaskSpec.fromPartial({ tool: "test.echo", ...t })), ...extra });

describe("checkWorkflow (a client, before it submits)", () => {
  it.each([
    [
      [
        { id: "a", dependsOn: ["b"] },
        { id: "b", dependsOn: ["a"] },
      ],
      "dependsOn has a cycle: a → b → a; remove one of these edges",
    ],
    [[{ id: "a", dependsOn: ["nope"] }], 'task "a" depends on unknown task "nope"'],
    [[{ id: "a", fanIn: { mode: 99, quorum: 0, deadlineMs: 0 } }], 'tasks[0] (id "a"): fanIn.mode 99 is not a known mode'],
    [[{ id: "a", tool: "code.grpe" }], 'tasks[0] (id "a"): unknown tool "code.grpe"'],
    [[{ id: "a", args: { value: "{{item}}" } }], 'tasks[0] (id "a"): {{item}} is only defined in a task with forEach'],
  ])("refuses %j with the coordinator's message", (tasks, message) => {
    expect(() => checkWorkflow(spec(tasks))).toThrow(InvalidSpecError);
    expect(() => checkWorkflow(spec(tasks))).toThrow(message);
  });

  it("leaves the coordinator's configured limits to the coordinator", () => {
    const many = Array.from({ length: 2000 }, (_, i) => ({
      id: `t${i}`,
      timeoutMs: 86_400_000,
      retry: { maxAttempts: 50, initialBackoffMs: 0, backoffMultiplier: 0, maxBackoffMs: 0 },
    }));
    expect(() => checkWorkflow(spec(many))).not.toThrow();
  });

  it("defers a tool an MCP pool may serve, arguments unchecked, but not a native prefix's typo", () => {
    expect(() => checkWorkflow(spec([{ id: "a", tool: "fs.read_file", args: { anything: 1 } }]))).not.toThrow();
    expect(() => checkWorkflow(spec([{ id: "a", tool: "web.serch" }]))).toThrow('unknown tool "web.serch"');
    expect(() => checkWorkflow(spec([{ id: "a", tool: "nodot" }]))).toThrow('unknown tool "nodot"');
  });
});
