import { ErrorCode } from "@toolmesh/core";
import { describe, expect, it } from "vitest";
import type { ValidTask } from "@toolmesh/spec";
import { RESEND_WINDOW_MS } from "../src/workflow/retry.js";
import { WorkflowRun, type TaskRecord } from "../src/workflow/run.js";
import { fanIn, RecordingEffects, resultOf, settle, task, TestClock, workflow } from "./workflow-harness.js";

/**
 * Runs a workflow up to some point on one "coordinator", then restores it
 * from its snapshot on another (fresh effects, the same clock) and resumes.
 */
async function restartAfter(
  tasks: ValidTask[],
  before: (run: WorkflowRun, effects: RecordingEffects, clock: TestClock) => void | Promise<void>,
) {
  const clock = new TestClock();
  const first = new RecordingEffects(clock);
  const original = new WorkflowRun("wf1", workflow(tasks), first, { clock });
  original.start();
  await settle();
  await before(original, first, clock);
  await settle();
  const snapshot = JSON.parse(JSON.stringify(original.snapshot())) as ReturnType<WorkflowRun["snapshot"]>;
  const records = [...original.tasks.values()].map((t) => JSON.parse(JSON.stringify(WorkflowRun.taskSnapshot(t))) as TaskRecord);
  // The old coordinator is gone: its timers must not fire into the test.
  for (const t of original.tasks.values()) {
    clock.clearTimeout(t.timer);
    clock.clearTimeout(t.joinTimer);
  }
  const effects = new RecordingEffects(clock);
  const run = WorkflowRun.restore(snapshot, records, effects, clock);
  return { clock, effects, run, original };
}

describe("WorkflowRun snapshot and restore", () => {
  it("round-trips run fields and task records (timers left out)", async () => {
    const { run, original } = await restartAfter([task("a"), task("b", { dependsOn: ["a"] })], (r) => {
      r.onResult(resultOf(r, "a", { output: { value: 1 } }));
    });
    expect(run.snapshot()).toEqual(original.snapshot());
    expect(run.tasks.get("a")).toMatchObject({ state: "succeeded", output: { value: 1 }, attempt: 1 });
    expect(run.tasks.get("b")).not.toHaveProperty("timer");
    expect(run.calls).toBe(2);
  });
});

describe("WorkflowRun.resume()", () => {
  it("re-sends an attempt still inside the duplicate window as the same attempt", async () => {
    const { effects, run } = await restartAfter([task("a")], () => undefined);
    run.resume();
    await settle();
    expect(effects.dispatchedIds()).toEqual(["a#1"]);
    run.onResult(resultOf(run, "a"));
    expect(run.state).toBe("succeeded");
  });

  it("does not re-send an older attempt, but still fails it at its deadline", async () => {
    const { clock, effects, run } = await restartAfter([task("a", { timeoutMs: RESEND_WINDOW_MS + 60_000 })], (_r, _e, c) =>
      c.advance(RESEND_WINDOW_MS),
    );
    run.resume();
    await settle();
    expect(effects.dispatched).toEqual([]);
    clock.advance(60_000 + 999);
    expect(run.tasks.get("a")!.state).toBe("queued");
    clock.advance(1);
    expect(run.tasks.get("a")!.error?.code).toBe(ErrorCode.DEADLINE_EXCEEDED);
    expect(effects.remoteCancels).toEqual([{ taskId: "a", reason: "deadline exceeded" }]);
  });

  it("dispatches the next attempt of a task that was waiting out a retry backoff", async () => {
    const retry = { maxAttempts: 3, initialBackoffMs: 1000, multiplier: 2, maxBackoffMs: 10_000 };
    const { effects, run } = await restartAfter([task("a", { retry })], (r) => {
      r.onResult(resultOf(r, "a", { error: { code: ErrorCode.UNAVAILABLE, message: "x", retryable: true } }));
    });
    expect(run.tasks.get("a")).toMatchObject({ state: "pending", attempt: 1 });
    run.resume();
    await settle();
    expect(effects.dispatchedIds()).toEqual(["a#2"]);
  });

  it("evaluates the join of a task not yet started whose dependencies finished meanwhile", async () => {
    const { effects, run, original } = await restartAfter([task("a"), task("b", { dependsOn: ["a"] })], () => undefined);
    // The result landed in the store but this task's join never ran on the old coordinator.
    run.tasks.get("a")!.state = "succeeded";
    run.tasks.get("a")!.output = { value: "a" };
    expect(original.tasks.get("b")!.attempt).toBe(0);
    run.resume();
    await settle();
    expect(effects.dispatchedIds()).toEqual(["b#1"]);
  });

  it("re-runs a synthesis task that was in the coordinator's hands", async () => {
    const { effects, run } = await restartAfter(
      [task("a"), task("s", { tool: "synth.merge", pool: "synth", args: {}, dependsOn: ["a"] })],
      async (r) => {
        r.onResult(resultOf(r, "a", { output: { v: 1 } }));
      },
    );
    // Synthesis ran to completion before the snapshot; pretend it had only started.
    const s = run.tasks.get("s")!;
    s.state = "running";
    delete s.output;
    run.state = "running";
    delete run.finishedAtMs;
    run.resume();
    await settle();
    expect(effects.synthCalls).toHaveLength(1);
    expect(effects.synthCalls[0]!.inputs).toEqual([{ source: "a", tool: "test.echo", output: { v: 1 } }]);
    expect(run.state).toBe("succeeded");
  });

  it("expands again a fan-out that was mid-expansion, and closes one whose items all settled", async () => {
    const each = task("each", {
      dependsOn: ["list"],
      args: { value: "{{item}}" },
      templated: true,
      forEach: { from: "list", items: "value", maxItems: 10 },
    });
    const { effects, run } = await restartAfter([task("list"), each], (r) => {
      r.onResult(resultOf(r, "list", { output: { value: ["x"] } }));
    });
    // As if the old coordinator stopped before it stored the items.
    const parent = run.tasks.get("each")!;
    delete parent.items;
    run.tasks.delete("each[0]");
    run.resume();
    await settle();
    expect(effects.dispatchedIds()).toEqual(["each[0]#1"]);

    // And a fan-out whose only item succeeded before the restart closes on resume.
    const second = await restartAfter([task("list"), each], (r) => {
      r.onResult(resultOf(r, "list", { output: { value: ["x"] } }));
    });
    second.run.tasks.get("each[0]")!.state = "succeeded";
    second.run.resume();
    expect(second.run.tasks.get("each")!.state).toBe("succeeded");
    expect(second.run.state).toBe("succeeded");
  });

  it("re-arms a fan-out's deadline from when its items became runnable", async () => {
    const each = task("each", {
      dependsOn: ["list"],
      args: { value: "{{item}}" },
      templated: true,
      timeoutMs: 60_000,
      forEach: { from: "list", items: "value", maxItems: 10 },
      fanIn: fanIn("deadline", { deadlineMs: 5000 }),
    });
    const { clock, run } = await restartAfter([task("list"), each], async (r, _e, c) => {
      r.onResult(resultOf(r, "list", { output: { value: ["x", "y"] } }));
      await settle();
      c.advance(1000);
    });
    run.tasks.get("each[0]")!.state = "succeeded";
    run.resume();
    clock.advance(3999);
    expect(run.tasks.get("each")!.state).toBe("running");
    clock.advance(1);
    expect(run.tasks.get("each")!.state).toBe("succeeded");
  });

  it("a follower of a shared call takes its leader's outcome when the leader settled meanwhile, else waits for it", async () => {
    const shared = (id: string) => task(id, { shareable: true, args: { value: "same" } });
    const settled = await restartAfter([shared("a"), shared("b")], () => undefined);
    settled.run.tasks.get("a")!.state = "failed";
    settled.run.tasks.get("a")!.error = { code: ErrorCode.INTERNAL, message: "gone", retryable: false };
    settled.run.resume();
    expect(settled.run.tasks.get("b")).toMatchObject({ state: "failed", error: { message: "gone" } });

    const waiting = await restartAfter([shared("a"), shared("b")], () => undefined);
    waiting.run.resume();
    await settle();
    // Only the leader is re-sent; the follower is answered by the leader's result.
    expect(waiting.effects.dispatchedIds()).toEqual(["a#1"]);
    waiting.run.onResult(resultOf(waiting.run, "a", { output: { value: "A" } }));
    expect(waiting.run.tasks.get("b")).toMatchObject({ state: "succeeded", output: { value: "A" } });
  });

  it("a restored leader still leads: a new identical call follows it instead of running", async () => {
    const { effects, run } = await restartAfter(
      [
        task("a", { shareable: true, args: { value: "same" } }),
        task("x"),
        task("c", { shareable: true, args: { value: "same" }, dependsOn: ["x"] }),
      ],
      () => undefined,
    );
    run.resume();
    await settle();
    run.onResult(resultOf(run, "x"));
    await settle();
    expect(effects.dispatchedIds()).toEqual(["a#1", "x#1"]);
    expect(run.tasks.get("c")!.sharedFrom).toBe("a");
  });

  it("leaves terminal tasks alone and finishes a workflow whose every task ended", async () => {
    const { effects, run } = await restartAfter([task("a")], (r) => {
      r.onResult(resultOf(r, "a"));
    });
    // Stored just before the finish was recorded.
    run.state = "running";
    run.resume();
    expect(effects.dispatched).toEqual([]);
    expect(run.state).toBe("succeeded");
    expect(effects.finishedCount).toBe(1);
  });
});

/**
 * The branches of resume() (run.ts), task by task: terminal → left alone;
 * expanded fan-out → deadline re-armed, closed if its items allow; in flight
 * and synthesis or mid-expansion → run again; in flight and following a
 * shared call → the leader's outcome or wait for it; in flight otherwise →
 * re-sent inside the duplicate window (or when it never left), else its
 * deadline re-armed; waiting out a retry → next attempt; not yet started →
 * its join evaluated. The cases above cover most; these the rest.
 */
describe("WorkflowRun.resume(): the remaining branches", () => {
  it("re-sends an attempt that never reached its pool (no deadline yet), however long ago it was queued", async () => {
    const { clock, effects, run } = await restartAfter([task("a")], () => undefined);
    const a = run.tasks.get("a")!;
    delete a.deadlineMs;
    clock.advance(RESEND_WINDOW_MS * 2);
    run.resume();
    await settle();
    expect(effects.dispatchedIds()).toEqual(["a#1"]);
  });

  it("re-sends an attempt a worker had started, inside the window", async () => {
    const { effects, run } = await restartAfter([task("a")], (r) => r.onStarted("a", 1, "w1", 0));
    expect(run.tasks.get("a")!.state).toBe("running");
    run.resume();
    await settle();
    expect(effects.dispatchedIds()).toEqual(["a#1"]);
  });

  it("an attempt past the window that reports before its deadline succeeds, and its timer is disarmed", async () => {
    const { clock, effects, run } = await restartAfter([task("a", { timeoutMs: RESEND_WINDOW_MS + 60_000 })], (_r, _e, c) =>
      c.advance(RESEND_WINDOW_MS),
    );
    run.resume();
    expect(clock.pendingTimers).toBe(1);
    run.onResult(resultOf(run, "a"));
    expect(run.state).toBe("succeeded");
    expect(clock.pendingTimers).toBe(0);
    expect(effects.ended).toEqual(["a#1"]);
  });

  it("a follower whose leader succeeded meanwhile takes its output without a dispatch", async () => {
    const shared = (id: string) => task(id, { shareable: true, args: { value: "same" } });
    const { effects, run } = await restartAfter([shared("a"), shared("b")], () => undefined);
    Object.assign(run.tasks.get("a")!, { state: "succeeded", output: { value: "A" }, worker: "w9" });
    run.resume();
    expect(effects.dispatched).toEqual([]);
    expect(run.tasks.get("b")).toMatchObject({ state: "succeeded", output: { value: "A" }, worker: "w9" });
    expect(run.state).toBe("succeeded");
  });

  it("a task not yet started whose dependency failed meanwhile fails without running", async () => {
    const { effects, run } = await restartAfter([task("a"), task("b", { dependsOn: ["a"] })], () => undefined);
    Object.assign(run.tasks.get("a")!, { state: "failed", error: { code: ErrorCode.INTERNAL, message: "gone", retryable: false } });
    run.resume();
    await settle();
    expect(effects.dispatched).toEqual([]);
    expect(run.tasks.get("b")!.error).toMatchObject({ code: ErrorCode.FAILED_PRECONDITION, message: 'dependency "a" did not succeed' });
    expect(run.state).toBe("failed");
  });

  it("a task not yet started whose dependencies are still open keeps waiting, then goes when they finish", async () => {
    const { effects, run } = await restartAfter([task("a"), task("b", { dependsOn: ["a"] })], () => undefined);
    run.resume();
    await settle();
    expect(effects.dispatchedIds()).toEqual(["a#1"]);
    expect(run.tasks.get("b")!.state).toBe("pending");
    run.onResult(resultOf(run, "a"));
    await settle();
    expect(effects.dispatchedIds()).toEqual(["a#1", "b#1"]);
  });

  const deadlineJoin = () => [
    task("a"),
    task("slow", { timeoutMs: 60_000 }),
    task("j", { dependsOn: ["a", "slow"], fanIn: fanIn("deadline", { deadlineMs: 3000 }) }),
  ];

  it("a deadline join whose deadline passed while no coordinator ran goes at once, cancelling what is still open", async () => {
    const { clock, effects, run } = await restartAfter(deadlineJoin(), (r) => {
      r.onResult(resultOf(r, "a"));
    });
    clock.advance(5000);
    run.resume();
    await settle();
    // slow comes first in the run's order: re-sent (inside the window), then cancelled as unneeded.
    expect(effects.dispatchedIds()).toEqual(["slow#1", "j#1"]);
    expect(run.tasks.get("slow")).toMatchObject({ state: "cancelled", unneeded: true });
    expect(effects.remoteCancels.map((c) => c.taskId)).toEqual(["slow"]);
  });

  // Only start() armed the join deadline once; after a restart the join must still go at its deadline.
  it("a deadline join whose deadline is still ahead goes at its deadline", async () => {
    const { clock, effects, run } = await restartAfter(deadlineJoin(), (r, _e, c) => {
      r.onResult(resultOf(r, "a"));
      c.advance(1000);
    });
    run.resume();
    await settle();
    clock.advance(2000);
    await settle();
    expect(effects.dispatchedIds()).toContain("j#1");
  });

  it("a fan-out whose item failed meanwhile fails on resume and cancels the open items", async () => {
    const each = task("each", {
      dependsOn: ["list"],
      args: { value: "{{item}}" },
      templated: true,
      forEach: { from: "list", items: "value", maxItems: 10 },
    });
    const { effects, run } = await restartAfter([task("list"), each], (r) => {
      r.onResult(resultOf(r, "list", { output: { value: ["x", "y"] } }));
    });
    Object.assign(run.tasks.get("each[0]")!, { state: "failed", error: { code: ErrorCode.NOT_FOUND, message: "no", retryable: false } });
    run.resume();
    expect(run.tasks.get("each")!.error).toMatchObject({ code: ErrorCode.NOT_FOUND });
    expect(run.tasks.get("each[1]")!.state).toBe("cancelled");
    expect(effects.remoteCancels.map((c) => c.taskId)).toEqual(["each[1]"]);
    expect(run.state).toBe("failed");
  });
});
