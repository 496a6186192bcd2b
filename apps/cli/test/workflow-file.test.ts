import { describe, expect, it } from "vitest";
import { WorkflowFileError, parseWorkflow } from "../src/workflow-file.js";

describe("workflow files", () => {
  it("reads YAML with defaults for what a task leaves out", () => {
    const spec = parseWorkflow(`
name: survey
defaultTimeoutMs: 2000
tasks:
  - id: ts
    tool: code.glob
    args: { patterns: ["**/*.ts"] }
  - id: todo
    tool: code.grep
    args: { pattern: TODO }
    dependsOn: [ts]
    retry: { maxAttempts: 3 }
`);
    expect(spec).toEqual({
      name: "survey",
      defaultTimeoutMs: 2000,
      tasks: [
        { id: "ts", tool: "code.glob", args: { patterns: ["**/*.ts"] }, dependsOn: [], timeoutMs: 0, retry: undefined },
        {
          id: "todo",
          tool: "code.grep",
          args: { pattern: "TODO" },
          dependsOn: ["ts"],
          timeoutMs: 0,
          retry: { maxAttempts: 3, initialBackoffMs: 0, backoffMultiplier: 0, maxBackoffMs: 0 },
        },
      ],
    });
  });

  it("reads JSON too", () => {
    expect(parseWorkflow('{"name":"j","tasks":[{"id":"a","tool":"test.echo"}]}').tasks).toHaveLength(1);
  });

  it.each([
    ["tasks: [", /not valid YAML/],
    ["- a\n- b", /expected a mapping/],
    ["name: x\ntasks: nope", /"tasks" must be a list/],
    ["tasks:\n  - id: a\n    dependsOn: b", /dependsOn must be a list/],
    ["tasks:\n  - id: a\n    args: [1]", /args must be a mapping/],
  ])("says what is wrong with %j", (text, message) => {
    expect(() => parseWorkflow(text, "wf.yaml")).toThrow(WorkflowFileError);
    expect(() => parseWorkflow(text, "wf.yaml")).toThrow(message);
  });
});
