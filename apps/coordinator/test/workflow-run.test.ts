import { ErrorCode } from "@toolmesh/core";
import { describe, expect, it } from "vitest";
import type { ValidTask } from "@toolmesh/spec";
import { WorkflowRun } from "../src/workflow/run.js";
import { DEADLINE_GRACE_MS } from "../src/workflow/retry.js";
import { fanIn, RecordingEffects, resultOf, settle, task, TestClock, workflow } from "./workflow-harness.js";

function setup(tasks: ValidTask[], extra: Parameters<typeof workflow>[1] = {}) {
  const clock = new TestClock();
  const effects = new RecordingEffects(clock);
  const run = new WorkflowRun("wf1", workflow(tasks, extra), effects, { clock });
  return { clock, effects, run };
}

const failure = (retryable: boolean, code: ErrorCode = ErrorCode.UNAVAILABLE) => ({ code, message: "boom", retryable });

describe("WorkflowRun: dispatch, results, completion", () => {
  it("runs a chain in order, fills a dependency's output into arguments, and finishes once", async () => {
    const { effects, run } = setup([task("a"), task("b", { dependsOn: ["a"], args: { value: "got {{tasks.a.value}}" }, templated: true })]);
    run.start();
    await settle();
    expect(effects.dispatchedIds()).toEqual(["a#1"]);
    expect(run.onResult(resultOf(run, "a", { output: { value: "A" } }))).toBe(true);
    await settle();
    expect(effects.dispatched[1]).toEqual({ taskId: "b", attempt: 1, args: { value: "got A" } });
    expect(run.done).toBe(false);
    run.onResult(resultOf(run, "b"));
    expect(run.state).toBe("succeeded");
    expect(effects.finishedCount).toBe(1);
    expect(effects.kinds().at(-1)).toBe("workflow.succeeded");
    expect(effects.ended).toEqual(["a#1", "b#1"]);
    expect(run.calls).toBe(2);
  });

  it("ignores results of other attempts, duplicates and unknown tasks", async () => {
    const { run } = setup([task("a"), task("b")]);
    run.start();
    await settle();
    expect(run.onResult({ ...resultOf(run, "a"), attempt: 2 })).toBe(false);
    expect(run.onResult({ ...resultOf(run, "a"), taskId: "nope" })).toBe(false);
    expect(run.onResult(resultOf(run, "a"))).toBe(true);
    expect(run.onResult(resultOf(run, "a"))).toBe(false);
    expect(run.tasks.get("b")!.state).toBe("queued");
  });

  it("fails the workflow when a task fails for good, and what needed it with FAILED_PRECONDITION", async () => {
    const { effects, run } = setup([task("a"), task("b", { dependsOn: ["a"] })]);
    run.start();
    await settle();
    run.onResult(resultOf(run, "a", { error: failure(false, ErrorCode.INVALID_ARGUMENT) }));
    expect(run.tasks.get("b")!.error?.code).toBe(ErrorCode.FAILED_PRECONDITION);
    expect(run.state).toBe("failed");
    expect(run.error).toBe("2 of 2 tasks did not succeed");
    expect(effects.dispatchedIds()).toEqual(["a#1"]);
  });

  it("cancel() cancels what is open, tells the workers, and ends the workflow cancelled", async () => {
    const { effects, run } = setup([task("a"), task("b", { dependsOn: ["a"] })]);
    run.start();
    await settle();
    run.cancel("user asked");
    expect(run.state).toBe("cancelled");
    expect(effects.remoteCancels).toEqual([{ taskId: undefined, reason: "user asked" }]);
    expect([...run.tasks.values()].map((t) => t.state)).toEqual(["cancelled", "cancelled"]);
    expect(effects.ended).toEqual(["a#1"]);
    expect(run.onResult(resultOf(run, "a"))).toBe(false);
  });

  it("retries a retryable failure after a jittered backoff, not before", async () => {
    const retry = { maxAttempts: 3, initialBackoffMs: 1000, multiplier: 2, maxBackoffMs: 10_000 };
    const { clock, effects, run } = setup([task("a", { retry })]);
    run.start();
    await settle();
    run.onResult(resultOf(run, "a", { error: failure(true) }));
    expect(run.tasks.get("a")!.state).toBe("pending");
    expect(effects.kinds("a")).toContain("task.retrying");
    clock.advance(799);
    await settle();
    expect(effects.dispatchedIds()).toEqual(["a#1"]);
    clock.advance(401);
    await settle();
    expect(effects.dispatchedIds()).toEqual(["a#1", "a#2"]);
    // The second backoff doubles: 1600..2400 ms.
    run.onResult(resultOf(run, "a", { error: failure(true) }));
    clock.advance(1599);
    await settle();
    expect(effects.dispatched).toHaveLength(2);
    clock.advance(801);
    await settle();
    expect(effects.dispatchedIds()).toEqual(["a#1", "a#2", "a#3"]);
    run.onResult(resultOf(run, "a", { error: failure(true) }));
    expect(run.state).toBe("failed");
    expect(clock.pendingTimers).toBe(0);
  });

  it("does not retry a non-retryable error", async () => {
    const { effects, run } = setup([task("a", { retry: { maxAttempts: 3, initialBackoffMs: 10, multiplier: 2, maxBackoffMs: 100 } })]);
    run.start();
    await settle();
    run.onResult(resultOf(run, "a", { error: failure(false) }));
    expect(run.state).toBe("failed");
    expect(effects.kinds("a")).not.toContain("task.retrying");
  });

  it("fails an attempt whose result does not come within its deadline plus the grace, and tells the pool", async () => {
    const { clock, effects, run } = setup([task("a", { timeoutMs: 5000 })]);
    run.start();
    await settle();
    clock.advance(5000 + DEADLINE_GRACE_MS - 1);
    expect(run.tasks.get("a")!.state).toBe("queued");
    clock.advance(1);
    const a = run.tasks.get("a")!;
    expect(a.state).toBe("failed");
    expect(a.error?.code).toBe(ErrorCode.DEADLINE_EXCEEDED);
    expect(effects.remoteCancels).toEqual([{ taskId: "a", reason: "deadline exceeded" }]);
    expect(effects.ended).toEqual(["a#1"]);
    expect(run.state).toBe("failed");
  });

  it("a result before the deadline disarms it", async () => {
    const { clock, effects, run } = setup([task("a", { timeoutMs: 5000 })]);
    run.start();
    await settle();
    run.onResult(resultOf(run, "a"));
    clock.advance(60_000);
    expect(run.state).toBe("succeeded");
    expect(effects.remoteCancels).toEqual([]);
  });

  it("an attempt that cannot be queued fails retryably with UNAVAILABLE", async () => {
    const { effects, run } = setup([task("a")]);
    effects.dispatchError = new Error("no stream");
    run.start();
    await settle();
    expect(run.tasks.get("a")!.error).toMatchObject({ code: ErrorCode.UNAVAILABLE, retryable: true });
    expect(run.tasks.get("a")!.error?.message).toMatch(/could not queue the task on pool test: no stream/);
    expect(run.state).toBe("failed");
  });
});

describe("WorkflowRun: shared calls", () => {
  const shared = (id: string, extra: Partial<ValidTask> = {}) => task(id, { shareable: true, args: { value: "same" }, ...extra });

  it("runs identical shareable calls once and gives followers the leader's output", async () => {
    const { effects, run } = setup([shared("a"), shared("b")]);
    run.start();
    await settle();
    expect(effects.dispatchedIds()).toEqual(["a#1"]);
    expect(run.tasks.get("b")).toMatchObject({ state: "queued", sharedFrom: "a" });
    expect(run.onResult({ ...resultOf(run, "b"), attempt: 0 })).toBe(false);
    run.onResult(resultOf(run, "a", { output: { value: "shared!" } }));
    expect(run.tasks.get("b")).toMatchObject({ state: "succeeded", output: { value: "shared!" }, worker: "w1" });
    expect(run.state).toBe("succeeded");
    expect(effects.shared.size).toBe(1);
  });

  it("a leader that fails fails its followers with its error", async () => {
    const { effects, run } = setup([shared("a"), shared("b"), shared("c", { dependsOn: ["a"], fanIn: fanIn("all_settled") })]);
    run.start();
    await settle();
    run.onResult(resultOf(run, "a", { error: failure(false, ErrorCode.INTERNAL) }));
    expect(run.tasks.get("b")).toMatchObject({ state: "failed", error: { code: ErrorCode.INTERNAL, message: "boom" } });
    // all_settled with nothing succeeded: c fails before it runs.
    expect(run.tasks.get("c")!.state).toBe("failed");
    expect(effects.dispatchedIds()).toEqual(["a#1"]);
    expect(run.state).toBe("failed");
  });

  it("a failed leader leads no longer: a later identical call is dispatched itself", async () => {
    const { effects, run } = setup([shared("a"), task("x"), shared("c", { dependsOn: ["x"] })]);
    run.start();
    await settle();
    run.onResult(resultOf(run, "a", { error: failure(false) }));
    run.onResult(resultOf(run, "x"));
    await settle();
    expect(effects.dispatchedIds()).toEqual(["a#1", "x#1", "c#1"]);
    expect(run.tasks.get("c")!.sharedFrom).toBeUndefined();
  });

  it("a result kept from another workflow answers at once, without a dispatch", async () => {
    const { effects, run } = setup([shared("a")]);
    effects.shared.set('test.echo {"value":"same"}', { value: "cached" });
    run.start();
    await settle();
    expect(effects.dispatched).toEqual([]);
    expect(run.tasks.get("a")).toMatchObject({ state: "succeeded", sharedFrom: "cache", output: { value: "cached" } });
    expect(run.state).toBe("succeeded");
  });
});

describe("WorkflowRun: joins", () => {
  it("first_success goes on the first success and cancels members nobody else waits for", async () => {
    const { effects, run } = setup([
      task("a"),
      task("b"),
      task("c"),
      task("j", { dependsOn: ["a", "b", "c"], fanIn: fanIn("first_success") }),
      task("k", { dependsOn: ["c"] }),
    ]);
    run.start();
    await settle();
    run.onResult(resultOf(run, "a"));
    await settle();
    expect(effects.dispatchedIds()).toEqual(["a#1", "b#1", "c#1", "j#1"]);
    expect(run.tasks.get("b")).toMatchObject({ state: "cancelled", unneeded: true });
    // k still needs c.
    expect(run.tasks.get("c")!.state).toBe("queued");
    expect(effects.remoteCancels).toEqual([{ taskId: "b", reason: 'not needed: "j" went ahead (first_success)' }]);
    expect(effects.ended).toContain("b#1");
    run.onResult(resultOf(run, "j"));
    run.onResult(resultOf(run, "c"));
    await settle();
    run.onResult(resultOf(run, "k"));
    // An unneeded cancellation does not fail the workflow.
    expect(run.state).toBe("succeeded");
  });

  it("a member cancelled as unneeded does not count against the workflow even when its joiner fails", async () => {
    const { run } = setup([task("a"), task("b"), task("j", { dependsOn: ["a", "b"], fanIn: fanIn("first_success") })]);
    run.start();
    await settle();
    run.onResult(resultOf(run, "a"));
    await settle();
    run.onResult(resultOf(run, "j", { error: failure(false) }));
    expect(run.tasks.get("b")!.state).toBe("cancelled");
    expect(run.error).toBe("1 of 3 tasks did not succeed");
  });

  it("all_settled goes despite a failed member, and the failure is absorbed", async () => {
    const { run } = setup([task("a"), task("b"), task("j", { dependsOn: ["a", "b"], fanIn: fanIn("all_settled") })]);
    run.start();
    await settle();
    run.onResult(resultOf(run, "a", { error: failure(false) }));
    expect(run.tasks.get("j")!.state).toBe("pending");
    run.onResult(resultOf(run, "b"));
    await settle();
    run.onResult(resultOf(run, "j"));
    expect(run.state).toBe("succeeded");
  });

  it("a failure is not absorbed when the tolerant dependent itself fails", async () => {
    const { run } = setup([task("a"), task("b"), task("j", { dependsOn: ["a", "b"], fanIn: fanIn("all_settled") })]);
    run.start();
    await settle();
    run.onResult(resultOf(run, "a", { error: failure(false) }));
    run.onResult(resultOf(run, "b"));
    await settle();
    run.onResult(resultOf(run, "j", { error: failure(false) }));
    expect(run.state).toBe("failed");
    expect(run.error).toBe("2 of 3 tasks did not succeed");
  });

  it("quorum fails as soon as it cannot be reached", async () => {
    const { run } = setup([
      task("a"),
      task("b"),
      task("c"),
      task("j", { dependsOn: ["a", "b", "c"], fanIn: fanIn("quorum", { quorum: 2 }) }),
    ]);
    run.start();
    await settle();
    run.onResult(resultOf(run, "a", { error: failure(false) }));
    expect(run.tasks.get("j")!.state).toBe("pending");
    run.onResult(resultOf(run, "b", { error: failure(false) }));
    expect(run.tasks.get("j")!.error?.message).toMatch(/quorum of 2 cannot be reached/);
  });

  it("a deadline join goes when its deadline passes on the clock, cancelling what is still open", async () => {
    const { clock, effects, run } = setup([
      task("a"),
      task("slow", { timeoutMs: 60_000 }),
      task("j", { dependsOn: ["a", "slow"], fanIn: fanIn("deadline", { deadlineMs: 3000 }) }),
    ]);
    run.start();
    await settle();
    run.onResult(resultOf(run, "a"));
    clock.advance(2999);
    await settle();
    expect(run.tasks.get("j")!.state).toBe("pending");
    clock.advance(1);
    await settle();
    expect(effects.dispatchedIds()).toEqual(["a#1", "slow#1", "j#1"]);
    expect(run.tasks.get("slow")).toMatchObject({ state: "cancelled", unneeded: true });
  });

  it("a deadline join with nothing succeeded fails when the deadline passes", async () => {
    const { clock, run } = setup([
      task("slow", { timeoutMs: 60_000 }),
      task("j", { dependsOn: ["slow"], fanIn: fanIn("deadline", { deadlineMs: 3000 }) }),
    ]);
    run.start();
    await settle();
    clock.advance(3000);
    expect(run.tasks.get("j")!.error?.message).toBe("nothing succeeded within 3000 ms");
  });
});

describe("WorkflowRun: fan-out and synthesis", () => {
  const each = (extra: Partial<ValidTask> = {}) =>
    task("each", {
      dependsOn: ["list"],
      args: { value: "#{{index}} {{item}}" },
      templated: true,
      forEach: { from: "list", items: "value", maxItems: 10 },
      ...extra,
    });

  it("expands one item per distinct upstream item, fills each, and assembles the output", async () => {
    const { effects, run } = setup([task("list"), each()]);
    run.start();
    await settle();
    run.onResult(resultOf(run, "list", { output: { value: ["x", "y", "x"] } }));
    await settle();
    expect(effects.dispatched.slice(1)).toEqual([
      { taskId: "each[0]", attempt: 1, args: { value: "#0 x" } },
      { taskId: "each[1]", attempt: 1, args: { value: "#1 y" } },
    ]);
    run.onResult(resultOf(run, "each[0]", { output: { value: 0 } }));
    expect(run.tasks.get("each")!.state).toBe("running");
    run.onResult(resultOf(run, "each[1]", { error: failure(false, ErrorCode.NOT_FOUND) }));
    // "all" over items: one failed item fails the fan-out with its code.
    expect(run.tasks.get("each")!.error).toMatchObject({ code: ErrorCode.NOT_FOUND, message: 'fan-out: item "each[1]" did not succeed' });
    expect(run.storedOutput(run.tasks.get("each[0]")!)).toEqual({ value: 0 });
    expect(run.calls).toBe(3);
  });

  it("first_success over items cancels the rest and succeeds with a summary", async () => {
    const { effects, run } = setup([task("list"), each({ fanIn: fanIn("first_success") })]);
    run.start();
    await settle();
    run.onResult(resultOf(run, "list", { output: { value: ["x", "y", "z"] } }));
    await settle();
    run.onResult(resultOf(run, "each[1]", { output: { value: "Y" } }));
    const parent = run.tasks.get("each")!;
    expect(parent.state).toBe("succeeded");
    expect(effects.remoteCancels.map((c) => c.taskId)).toEqual(["each[0]", "each[2]"]);
    const output = await run.outputOf(parent);
    expect(output).toMatchObject({ succeeded: 1, cancelled: 2, failed: 0, dropped: 0, skipped: 0 });
    expect((output!.items as unknown[])[1]).toEqual({ index: 1, item: "y", output: { value: "Y" } });
    expect(run.storedOutput(parent)).toEqual(output);
    expect(run.state).toBe("succeeded");
  });

  it("refuses a fan-out that would pass limits.maxCalls", async () => {
    const { effects, run } = setup([task("list"), each()], { maxCalls: 3 });
    run.start();
    await settle();
    run.onResult(resultOf(run, "list", { output: { value: ["a", "b", "c"] } }));
    await settle();
    expect(run.tasks.get("each")!.error?.code).toBe(ErrorCode.RESOURCE_EXHAUSTED);
    expect(effects.dispatched).toHaveLength(1);
  });

  it("a fan-out with a deadline closes on the clock with what succeeded", async () => {
    const { clock, run } = setup([task("list"), each({ fanIn: fanIn("deadline", { deadlineMs: 2000 }), timeoutMs: 60_000 })]);
    run.start();
    await settle();
    run.onResult(resultOf(run, "list", { output: { value: ["a", "b"] } }));
    await settle();
    run.onResult(resultOf(run, "each[0]"));
    clock.advance(1999);
    expect(run.tasks.get("each")!.state).toBe("running");
    clock.advance(1);
    expect(run.tasks.get("each")!.state).toBe("succeeded");
    expect(run.tasks.get("each[1]")!.state).toBe("cancelled");
  });

  it("a synthesis task runs in the coordinator over its dependencies' outputs, fan-out items one by one", async () => {
    const { effects, run } = setup([
      task("list"),
      each(),
      task("merge", { tool: "synth.merge", pool: "synth", args: {}, dependsOn: ["each"] }),
    ]);
    run.start();
    await settle();
    run.onResult(resultOf(run, "list", { output: { value: ["a", "b"] } }));
    await settle();
    run.onResult(resultOf(run, "each[0]", { output: { n: 0 } }));
    run.onResult(resultOf(run, "each[1]", { output: { n: 1 } }));
    await settle();
    expect(effects.synthCalls).toEqual([
      {
        tool: "synth.merge",
        inputs: [
          { source: "each[0]", tool: "test.echo", item: "a", output: { n: 0 } },
          { source: "each[1]", tool: "test.echo", item: "b", output: { n: 1 } },
        ],
      },
    ]);
    expect(run.tasks.get("merge")).toMatchObject({ state: "succeeded", worker: "coordinator" });
    expect(run.state).toBe("succeeded");
  });
});
