import { FanInMode } from "@toolmesh/proto";
import { describe, expect, it } from "vitest";
import { WorkflowFileError, editDistance, parseWorkflow, readWorkflowFile } from "../src/workflow-file.js";

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
    const plain = { forEach: undefined, fanIn: undefined, stage: "" };
    expect(spec).toEqual({
      name: "survey",
      defaultTimeoutMs: 2000,
      priority: 0,
      limits: undefined,
      parent: undefined,
      tasks: [
        { ...plain, id: "ts", tool: "code.glob", args: { patterns: ["**/*.ts"] }, dependsOn: [], timeoutMs: 0, retry: undefined },
        {
          ...plain,
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

describe("unknown fields and bad numbers", () => {
  it.each([
    [
      "name: x\ntasks:\n  - id: a\n    tool: test.echo\n    tmeoutMs: 5\n",
      "wf.yaml: tasks[0].tmeoutMs: unknown field; did you mean timeoutMs?",
    ],
    ["name: x\ntaks: []\n", "wf.yaml: taks: unknown field; did you mean tasks?"],
    [
      "name: x\ntasks:\n  - id: a\n    tool: test.echo\n    retry: { maxAtempts: 3 }\n",
      "wf.yaml: tasks[0].retry.maxAtempts: unknown field; did you mean maxAttempts?",
    ],
    [
      "name: x\ntasks:\n  - id: a\n    tool: t\n    dependsOn: [b]\n    forEach: { from: b, items: x, maxitems: 3 }\n",
      "wf.yaml: tasks[0].forEach.maxitems: unknown field; did you mean maxItems?",
    ],
    [
      "name: x\ntasks:\n  - id: a\n    tool: t\n    fanIn: { mode: quorum, quorom: 2 }\n",
      "wf.yaml: tasks[0].fanIn.quorom: unknown field; did you mean quorum?",
    ],
    ["name: x\ntasks: []\nlimits: { maxConcurency: 2 }\n", "wf.yaml: limits.maxConcurency: unknown field; did you mean maxConcurrency?"],
    [
      "name: x\ntasks:\n  - id: a\n    tool: t\n    colour: red\n",
      "wf.yaml: tasks[0].colour: unknown field; the fields here are id, tool, args, dependsOn, timeoutMs, retry, forEach, fanIn, stage",
    ],
    [
      "name: x\ntasks:\n  - id: a\n    tool: t\n    timeoutMs: soon\n",
      'wf.yaml: tasks[0].timeoutMs must be a whole number within 0..4294967295, got "soon"',
    ],
    [
      "name: x\ntasks:\n  - id: a\n    tool: t\n    retry: { backoffMultiplier: .nan }\n",
      "wf.yaml: tasks[0].retry.backoffMultiplier must be a number within 0..10, got null",
    ],
    ["name: x\npriority: 12\ntasks: []\n", "wf.yaml: priority must be a whole number within 0..9, got 12"],
  ])("refuses %j", (text, message) => {
    expect(() => parseWorkflow(text, "wf.yaml")).toThrow(WorkflowFileError);
    expect(() => parseWorkflow(text, "wf.yaml")).toThrow(message);
  });

  it("editDistance counts single-character edits", () => {
    expect(editDistance("tmeoutMs", "timeoutMs")).toBe(1);
    expect(editDistance("", "abc")).toBe(3);
    expect(editDistance("kitten", "sitting")).toBe(3);
  });
});

describe("examples/fan-out.yaml", () => {
  it("reads forEach, fanIn, priority and limits into the spec", async () => {
    const spec = await readWorkflowFile(new URL("../../../examples/fan-out.yaml", import.meta.url).pathname);
    expect(spec).toMatchObject({ priority: 5, limits: { maxConcurrency: 16, maxCalls: 500 } });
    const secrets = spec.tasks.find((t) => t.id === "secrets")!;
    expect(secrets.forEach).toEqual({ from: "configs", items: "files[].path", maxItems: 200, match: "" });
    expect(secrets.fanIn).toEqual({ mode: FanInMode.FAN_IN_MODE_ALL_SETTLED, quorum: 0, deadlineMs: 0 });
  });

  it("names a bad fanIn mode", () => {
    expect(() => parseWorkflow("name: x\ntasks:\n  - id: a\n    tool: test.echo\n    fanIn: { mode: most }\n")).toThrow(
      /fanIn.mode must be one of all, all_settled/,
    );
  });
});
