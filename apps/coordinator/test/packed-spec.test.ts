import type { ValidWorkflow } from "@toolmesh/spec";
import { describe, expect, it } from "vitest";
import { packSpec, unpackSpec, type PackedSpec } from "../src/store/packed-spec.js";
import { fanIn, task, workflow } from "./workflow-harness.js";

/** As the store writes and reads it: through JSON. */
const stored = (spec: ValidWorkflow): PackedSpec => JSON.parse(JSON.stringify(packSpec(spec))) as PackedSpec;

/** Tasks differing from the first in every packed setting, one setting each, and one with a forEach. */
const mixed = workflow(
  [
    task("a"),
    task("b", { tool: "synth.merge", pool: "synth", args: {} }),
    task("c", { templated: true, args: { value: "{{item}}" }, forEach: { from: "a", items: "value", maxItems: 5, match: "^x" } }),
    task("d", { dependsOn: ["a", "b"], fanIn: fanIn("quorum", { quorum: 1 }) }),
    task("e", { timeoutMs: 90_000, stage: "later", shareable: true }),
    task("f", { retry: { maxAttempts: 3, initialBackoffMs: 200, multiplier: 2, maxBackoffMs: 5000 } }),
    task("g", { dependsOn: [] }),
  ],
  { name: "mixed", priority: 3, maxConcurrency: 2, maxCalls: 50, parent: { workflowId: "wf-p", taskId: "t", capability: "cap" } },
);

describe("a stored spec", () => {
  it("unpacks to the spec it was packed from, whatever its tasks set", () => {
    expect(unpackSpec(stored(mixed))).toEqual(mixed);
  });

  it("keeps with each task only its id, its arguments and the settings that differ from the first task's", () => {
    const spec = workflow(Array.from({ length: 3 }, (_, i) => task(`t${i}`, { args: { value: i } })));
    expect(stored(spec).tasks).toEqual([
      { id: "t0", args: { value: 0 } },
      { id: "t1", args: { value: 1 } },
      { id: "t2", args: { value: 2 } },
    ]);
    expect(stored(mixed).tasks[4]).toEqual({ id: "e", args: { value: "e" }, timeoutMs: 90_000, stage: "later", shareable: true });
  });

  it("gives every task settings of its own, shared with no other task", () => {
    const spec = unpackSpec(stored(workflow([task("a"), task("b")])));
    spec.tasks[0]!.dependsOn.push("x");
    spec.tasks[0]!.retry.maxAttempts = 9;
    expect(spec.tasks[1]).toMatchObject({ dependsOn: [], retry: { maxAttempts: 1 } });
  });

  it("stored whole (before packing) or with no tasks is read as it is", () => {
    const whole = JSON.parse(JSON.stringify(mixed)) as ValidWorkflow;
    expect(unpackSpec(whole)).toEqual(mixed);
    const empty = workflow([]);
    expect(unpackSpec(stored(empty))).toEqual(empty);
  });
});
