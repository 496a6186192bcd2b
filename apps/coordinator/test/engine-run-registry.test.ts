import { describe, expect, it } from "vitest";
import { RunRegistry } from "../src/engine/run-registry.js";
import type { WorkflowRun } from "../src/workflow/run.js";

const run = (id: string, createdAtMs: number, done = true, tasks = 1) =>
  ({ id, createdAtMs, done, tasks: new Map(Array.from({ length: tasks }, (_, i) => [`t${i}`, {}])) }) as unknown as WorkflowRun;

describe("RunRegistry", () => {
  it("lists newest first even when an old finished run is read back from the store later", () => {
    const registry = new RunRegistry(10);
    registry.add(run("b", 2000));
    registry.add(run("c", 3000));
    registry.add(run("a", 1000)); // what find() does with a run loaded from the store
    expect(registry.list(10).map((r) => r.id)).toEqual(["c", "b", "a"]);
    expect(registry.list(2).map((r) => r.id)).toEqual(["c", "b"]);
  });

  it("evicts the oldest finished runs, never running ones", () => {
    const registry = new RunRegistry(2);
    registry.add(run("new", 3000));
    registry.add(run("running", 500, false));
    registry.add(run("old", 1000));
    registry.evictFinished();
    expect(registry.list(10).map((r) => r.id)).toEqual(["new", "running"]);
  });

  it("keeps finished runs within a budget of task records, oldest evicted first", () => {
    const registry = new RunRegistry(100, 2500);
    const running = { ...run("running", 0, false, 1000) } as WorkflowRun & { done: boolean };
    registry.add(running);
    for (let i = 1; i <= 5; i++) {
      registry.add(run(`done${i}`, i * 1000, true, 1000));
      registry.evictFinished();
    }
    // The running run never counts against the budget, nor is it evicted.
    expect(registry.list(10).map((r) => r.id)).toEqual(["done5", "done4", "running"]);
    running.done = true;
    registry.finished(running);
    registry.evictFinished();
    expect(registry.list(10).map((r) => r.id)).toEqual(["done5", "done4"]);
  });
});
