import { InvalidSpecError, findCycle, validateWorkflow } from "../src/index.js";
import type { TaskSpec } from "@toolmesh/proto";
import { describe, expect, it } from "vitest";
import { testLimits } from "./limits.js";

const limits = testLimits;
const t = (id: string, dependsOn: string[] = [], extra: Partial<TaskSpec> = {}): TaskSpec => ({
  id,
  tool: "test.echo",
  args: {},
  dependsOn,
  timeoutMs: 0,
  retry: undefined,
  ...extra,
});

describe("findCycle", () => {
  it("returns undefined for a DAG, including diamonds", () => {
    expect(
      findCycle(
        new Map([
          ["a", []],
          ["b", ["a"]],
          ["c", ["a"]],
          ["d", ["b", "c"]],
        ]),
      ),
    ).toBeUndefined();
  });
  it("returns the cycle as a closed path", () => {
    expect(
      findCycle(
        new Map([
          ["a", ["b"]],
          ["b", ["c"]],
          ["c", ["a"]],
        ]),
      ),
    ).toEqual(["a", "b", "c", "a"]);
  });
  it("handles a 100k-long chain without overflowing the stack", () => {
    const edges = new Map<string, string[]>();
    for (let i = 0; i < 100_000; i++) edges.set(`n${i}`, i === 0 ? [] : [`n${i - 1}`]);
    expect(findCycle(edges)).toBeUndefined();
    edges.set("n0", ["n99999"]);
    expect(findCycle(edges)?.length).toBe(100_001);
  });
});

describe("validateWorkflow", () => {
  it("applies defaults: timeout from the workflow, then the coordinator; one attempt; argument defaults", () => {
    const valid = validateWorkflow(
      { name: "", defaultTimeoutMs: 0, tasks: [t("a"), t("b", ["a"], { tool: "code.grep", args: { pattern: "x" }, timeoutMs: 700 })] },
      100,
      limits,
    );
    expect(valid.name).toBe("workflow");
    expect(valid.tasks[0]).toMatchObject({ id: "a", pool: "test", timeoutMs: 5000, retry: { maxAttempts: 1 } });
    expect(valid.tasks[1]).toMatchObject({ pool: "codebase", timeoutMs: 700, args: { pattern: "x", literal: false, maxResults: 500 } });
  });

  it("rejects a timeout above the limit", () => {
    expect(() => validateWorkflow({ name: "x", defaultTimeoutMs: 0, tasks: [t("a", [], { timeoutMs: 120_000 })] }, 10, limits)).toThrow(
      InvalidSpecError,
    );
  });

  it("rejects a missing spec", () => {
    expect(() => validateWorkflow(undefined, 0, limits)).toThrow("spec is required");
  });

  it("an agent.run task without timeoutMs waits as long as its budget's wallMs (and a little more)", () => {
    const agent = { goal: "g", plan: { tasks: [{ id: "x", tool: "test.echo" }] }, budget: { wallMs: 300_000 } };
    const valid = validateWorkflow({ name: "a", defaultTimeoutMs: 0, tasks: [t("a", [], { tool: "agent.run", args: agent })] }, 10, {
      ...limits,
      maxTimeoutMs: 3_600_000,
    });
    expect(valid.tasks[0]!.timeoutMs).toBe(305_000);
  });
});
