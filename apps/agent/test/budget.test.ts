import { ToolError } from "@toolmesh/core";
import { TaskSpec } from "@toolmesh/proto";
import { describe, expect, it } from "vitest";
import { callsPerChild, checkBatch, childBudget, nothingSpent, prepareBatch, remaining, type Budget } from "../src/index.js";

const budget: Budget = { maxDepth: 2, maxCalls: 10, maxConcurrency: 4, wallMs: 10_000, maxTokens: 1000 };

function thrown(fn: () => unknown): ToolError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(ToolError);
    return err as ToolError;
  }
  throw new Error("expected a ToolError");
}

describe("remaining", () => {
  it("subtracts calls, both kinds of tokens and elapsed time, never below zero", () => {
    const spent = { calls: 3, inputTokens: 600, outputTokens: 500 };
    expect(remaining(budget, spent, 1000, 4000)).toEqual({ calls: 7, tokens: 0, ms: 7000 });
    expect(remaining(budget, nothingSpent(), 0, 20_000).ms).toBe(0);
  });
});

describe("checkBatch", () => {
  it("lets a batch that fits through", () => {
    expect(() => checkBatch(10, { calls: 10, tokens: 1, ms: 1 })).not.toThrow();
  });

  it("refuses a batch over the calls left, naming both numbers", () => {
    const err = thrown(() => checkBatch(11, { calls: 10, tokens: 1, ms: 1 }));
    expect(err.code).toBe("RESOURCE_EXHAUSTED");
    expect(err.retryable).toBe(false);
    expect(err.message).toMatch(/needs 11 calls but only 10/);
  });

  it("refuses once the wall time is spent", () => {
    expect(thrown(() => checkBatch(1, { calls: 5, tokens: 1, ms: 0 })).code).toBe("DEADLINE_EXCEEDED");
  });
});

describe("childBudget", () => {
  const left = { calls: 6, tokens: 300, ms: 5000 };

  it("clamps every field to what the parent has left, and depth to one less", () => {
    const child = childBudget(budget, left, 5, { maxDepth: 2, maxCalls: 100, maxConcurrency: 64, wallMs: 60_000, maxTokens: 100_000 });
    expect(child).toEqual({ maxDepth: 1, maxCalls: 5, maxConcurrency: 4, wallMs: 5000, maxTokens: 300 });
  });

  it("keeps what the child asked for when it is less", () => {
    expect(childBudget(budget, left, 5, { maxDepth: 0, maxCalls: 2, maxConcurrency: 1, wallMs: 1000, maxTokens: 10 })).toEqual({
      maxDepth: 0,
      maxCalls: 2,
      maxConcurrency: 1,
      wallMs: 1000,
      maxTokens: 10,
    });
  });

  it("refuses a child of an agent with maxDepth 0", () => {
    const err = thrown(() => childBudget({ ...budget, maxDepth: 0 }, left, 5));
    expect(err.code).toBe("RESOURCE_EXHAUSTED");
    expect(err.message).toMatch(/agents nest at most 3 deep/);
  });

  it("refuses a child when no call is left for it", () => {
    expect(thrown(() => childBudget(budget, left, 0)).message).toMatch(/call budget exceeded/);
  });

  it("refuses a child when the tokens are spent", () => {
    expect(thrown(() => childBudget(budget, { ...left, tokens: 0 }, 3)).message).toMatch(/token budget spent/);
  });
});

describe("callsPerChild", () => {
  it("splits the calls left after the batch's own calls between its child agents", () => {
    // 10 left, 2 plain calls, 2 agent tasks (1 call each): 6 left, 3 each.
    expect(callsPerChild({ calls: 10, tokens: 1, ms: 1 }, 2, 2)).toBe(3);
    expect(callsPerChild({ calls: 10, tokens: 1, ms: 1 }, 2, 0)).toBe(0);
  });
});

describe("prepareBatch", () => {
  const task = (id: string, tool: string, args: Record<string, unknown> = {}) => TaskSpec.fromPartial({ id, tool, args });
  const rules = { budget, left: { calls: 10, tokens: 500, ms: 8000 }, tools: ["test.echo", "agent.run"] };

  it("refuses tools the agent may not use", () => {
    const err = thrown(() => prepareBatch([task("a", "test.echo"), task("b", "bash.exec", { command: "ls" })], rules));
    expect(err.code).toBe("PERMISSION_DENIED");
    expect(err.message).toMatch(/"bash.exec" is not one this agent may call/);
  });

  it("refuses a fan-out bigger than the calls left", () => {
    const wide = TaskSpec.fromPartial({ id: "wide", tool: "test.echo", forEach: { from: "a", items: "", maxItems: 50 }, dependsOn: ["a"] });
    const err = thrown(() => prepareBatch([task("a", "test.echo"), wide], rules));
    expect(err.code).toBe("RESOURCE_EXHAUSTED");
    expect(err.message).toMatch(/needs 51 calls but only 10/);
  });

  it("gives a child agent a clamped budget and its parent's tools", () => {
    const child = task("kid", "agent.run", {
      goal: "g",
      plan: { tasks: [{ id: "x", tool: "test.echo" }] },
      budget: { maxCalls: 1000, wallMs: 600_000 },
    });
    const prepared = prepareBatch([task("a", "test.echo"), child], rules);
    const args = prepared.tasks[1]?.args as { budget: Budget; tools: string[] };
    // 10 left − 1 plain call − 1 for the agent task itself = 8 for the child.
    expect(args.budget).toEqual({ maxDepth: 1, maxCalls: 8, maxConcurrency: 4, wallMs: 8000, maxTokens: 500 });
    expect(args.tools).toEqual(["test.echo", "agent.run"]);
    expect(prepared.reservedCalls).toBe(10);
    expect(prepared.childCalls).toBe(8);
  });

  it("refuses a child agent that asks for tools its parent lacks", () => {
    const child = task("kid", "agent.run", { goal: "g", plan: { tasks: [{ id: "x", tool: "test.echo" }] }, tools: ["bash.exec"] });
    expect(thrown(() => prepareBatch([child], rules)).code).toBe("PERMISSION_DENIED");
  });

  it("refuses agent.run from an agent at depth 0", () => {
    const child = task("kid", "agent.run", { goal: "g", plan: { tasks: [{ id: "x", tool: "test.echo" }] } });
    const err = thrown(() => prepareBatch([child], { ...rules, budget: { ...budget, maxDepth: 0 } }));
    expect(err.code).toBe("RESOURCE_EXHAUSTED");
    expect(err.message).toMatch(/nest at most 3 deep/);
  });
});
