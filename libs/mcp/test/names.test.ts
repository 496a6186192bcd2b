import { describe, expect, it } from "vitest";
import { MCP_NAME, ToolNameMap, mcpNameOf } from "../src/names.js";
import { ProgressCounter } from "../src/follow.js";
import { outputUri, parseOutputUri } from "../src/results.js";
import { EventType, type WorkflowEvent } from "@toolmesh/proto";

describe("tool names", () => {
  it("dots and other characters become underscores, at most 64", () => {
    expect(mcpNameOf("code.grep")).toBe("code_grep");
    expect(mcpNameOf("fs.read_file")).toBe("fs_read_file");
    expect(mcpNameOf("weird tool/ü.x")).toBe("weird_tool___x");
    expect(mcpNameOf("x".repeat(80))).toHaveLength(64);
    expect(mcpNameOf("")).toMatch(MCP_NAME);
  });

  it("maps back by lookup, with suffixes for names already taken", () => {
    const map = new ToolNameMap(["code.grep", "a.b", "a_b", "parallel", "y".repeat(70), `${"y".repeat(64)}.z`], ["parallel", "workflow"]);
    expect(map.mcpName("code.grep")).toBe("code_grep");
    expect(map.toolmeshName("code_grep")).toBe("code.grep");
    expect(map.mcpName("a.b")).toBe("a_b");
    expect(map.mcpName("a_b")).toBe("a_b_2");
    expect(map.toolmeshName("a_b_2")).toBe("a_b");
    expect(map.mcpName("parallel")).toBe("parallel_2");
    expect(map.toolmeshName("parallel")).toBeUndefined();
    const long = map.mcpName(`${"y".repeat(64)}.z`)!;
    expect(long).toHaveLength(64);
    expect(long.endsWith("_2")).toBe(true);
    for (const [name] of map.entries()) expect(name).toMatch(MCP_NAME);
    expect(map.toolmeshName("no_such")).toBeUndefined();
  });
});

describe("progress from events", () => {
  const event = (type: EventType, taskId: string, extra: Partial<WorkflowEvent> = {}): WorkflowEvent => ({
    workflowId: "w",
    sequence: 0,
    timeMs: 0,
    type,
    taskId,
    tool: "code.grep",
    pool: "codebase",
    attempt: 1,
    message: "",
    worker: "",
    durationMs: 0,
    progress: undefined,
    outputStream: "",
    output: "",
    parentWorkflowId: "",
    parentTaskId: "",
    depth: 0,
    stage: "",
    ...extra,
  });

  it("counts finished tasks of those seen, naming the stage or pool", () => {
    const counter = new ProgressCounter(2);
    expect(counter.step(event(EventType.EVENT_TYPE_TASK_STARTED, "a"))).toMatchObject({
      progress: 0,
      total: 2,
      message: "codebase: a (code.grep) started",
    });
    expect(counter.step(event(EventType.EVENT_TYPE_TASK_SUCCEEDED, "a"))).toMatchObject({ progress: 1, total: 2 });
    expect(counter.step(event(EventType.EVENT_TYPE_TASK_FAILED, "b", { stage: "gather", message: "boom" }))).toMatchObject({
      progress: 2,
      total: 2,
      message: "gather: b (code.grep) failed: boom",
    });
    expect(counter.step(event(EventType.EVENT_TYPE_TASK_QUEUED, "c"))).toBeUndefined();
    expect(counter.step(event(EventType.EVENT_TYPE_TASK_SUCCEEDED, "c"))).toMatchObject({ progress: 3, total: 3 });
    expect(counter.step(event(EventType.EVENT_TYPE_TASK_SUCCEEDED, "x", { depth: 1 }))).toBeUndefined();
  });
});

describe("output URIs", () => {
  it("round-trip workflow and task ids, escaped", () => {
    const uri = outputUri("wf-1", "fan[3]/x");
    expect(parseOutputUri(uri)).toEqual({ workflowId: "wf-1", taskId: "fan[3]/x" });
    expect(parseOutputUri("toolmesh://workflows/w")).toBeUndefined();
    expect(parseOutputUri("file:///etc/passwd")).toBeUndefined();
  });
});
