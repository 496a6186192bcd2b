import { describe, expect, it } from "vitest";
import { RunRegistry } from "../src/engine/run-registry.js";
import type { WorkflowRun } from "../src/workflow/run.js";

const run = (id: string, createdAtMs: number, done = true) => ({ id, createdAtMs, done }) as unknown as WorkflowRun;

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
});
