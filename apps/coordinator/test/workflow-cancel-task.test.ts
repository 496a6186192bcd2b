import { ErrorCode } from "@toolmesh/core";
import type { ValidTask } from "@toolmesh/spec";
import { describe, expect, it } from "vitest";
import { WorkflowRun } from "../src/workflow/run.js";
import { RecordingEffects, resultOf, settle, task, TestClock, workflow } from "./workflow-harness.js";

// A client cancels one task (CancelTask, the console's button): unlike a
// cancellation as unneeded, it counts as not succeeded.

function setup(tasks: ValidTask[]) {
  const clock = new TestClock();
  const effects = new RecordingEffects(clock);
  const run = new WorkflowRun("wf1", workflow(tasks), effects, { clock });
  return { effects, run };
}

describe("WorkflowRun.cancelTask", () => {
  it("aborts the running attempt, fails what needed the task, lets the rest finish, and fails the workflow", async () => {
    const { effects, run } = setup([task("a"), task("b", { dependsOn: ["a"] }), task("c")]);
    run.start();
    await settle();
    run.cancelTask(run.tasks.get("a")!, "from the console");
    expect(effects.remoteCancels).toEqual([{ taskId: "a", reason: "from the console" }]);
    expect(run.tasks.get("a")).toMatchObject({
      state: "cancelled",
      unneeded: false,
      error: { code: ErrorCode.CANCELLED, message: "from the console" },
    });
    expect(run.tasks.get("b")!.error?.code).toBe(ErrorCode.FAILED_PRECONDITION);
    // c is independent: the workflow waits for it.
    expect(run.done).toBe(false);
    run.onResult(resultOf(run, "c"));
    expect(run.tasks.get("c")!.state).toBe("succeeded");
    expect(run.state).toBe("failed");
    expect(run.onResult(resultOf(run, "a"))).toBe(false);
  });

  it("cancels a fan-out's unfinished items and leaves the finished ones as they are; a finished task is left alone", async () => {
    const each = task("each", {
      dependsOn: ["list"],
      args: { value: "{{item}}" },
      templated: true,
      forEach: { from: "list", items: "value", maxItems: 10 },
    });
    const { effects, run } = setup([task("list"), each]);
    run.start();
    await settle();
    run.onResult(resultOf(run, "list", { output: { value: ["x", "y", "z"] } }));
    await settle();
    run.onResult(resultOf(run, "each[0]"));
    run.cancelTask(run.tasks.get("each")!, "enough");
    expect(["each[0]", "each[1]", "each[2]", "each"].map((id) => run.tasks.get(id)!.state)).toEqual([
      "succeeded",
      "cancelled",
      "cancelled",
      "cancelled",
    ]);
    // The running items' attempts are aborted in their workers; the finished one's is not.
    expect(effects.remoteCancels.map((c) => c.taskId)).toEqual(expect.arrayContaining(["each[1]", "each[2]"]));
    expect(effects.remoteCancels.map((c) => c.taskId)).not.toContain("each[0]");
    expect(run.state).toBe("failed");
    run.cancelTask(run.tasks.get("list")!, "too late");
    expect(run.tasks.get("list")!.state).toBe("succeeded");
  });
});
