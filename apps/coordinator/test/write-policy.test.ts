import { ErrorCode, type Logger, type ObjectStore } from "@toolmesh/core";
import type { ValidTask } from "@toolmesh/spec";
import { describe, expect, it, vi } from "vitest";
import { StateFlusher } from "../src/engine/state-flusher.js";
import { WorkflowStore } from "../src/store/workflow-store.js";
import { CHECKPOINT_AFTER_MS } from "../src/workflow/pending-writes.js";
import { WorkflowRun } from "../src/workflow/run.js";
import { MemoryKv } from "./memory-kv.js";
import { RecordingEffects, resultOf, settle, task, TestClock, workflow } from "./workflow-harness.js";

/**
 * The write policy (docs/architecture.md, "Durability and failover"): task
 * records are written when a task settles, waits out a retry, expands, or
 * has had an attempt in flight for CHECKPOINT_AFTER_MS; the rest a successor
 * derives from the spec. Counted on an in-memory bucket.
 */
const log = { debug: vi.fn(), info: vi.fn(), warn: vi.fn(), error: vi.fn() } as unknown as Logger;

/** Effects that hand every change to a flusher, as the engine does. */
class FlushingEffects extends RecordingEffects {
  flusher?: StateFlusher;
  override changed(run?: WorkflowRun): void {
    super.changed();
    if (run) this.flusher!.changed(run);
  }
}

function setUp(tasks: ValidTask[], clock = new TestClock()) {
  const kv = new MemoryKv();
  const open = () => new WorkflowStore(kv, {} as ObjectStore, clock);
  const store = open();
  const effects = new FlushingEffects(clock);
  const flusher = new StateFlusher({ store, log, checkpointEveryMs: 0, now: () => clock.now() });
  effects.flusher = flusher;
  const run = new WorkflowRun("wf", workflow(tasks, { maxCalls: 10_000 }), effects, { clock });
  return { kv, open, store, effects, flusher, run, clock };
}

const flat = (n: number) => Array.from({ length: n }, (_, i) => task(`t${i}`));

describe("workflow write policy", () => {
  it("a submitted workflow is stored as its header alone, however many tasks it has", async () => {
    const { kv, store, run } = setUp(flat(1000));
    await store.save(run);
    expect(kv.writes).toBe(1);
    expect(kv.liveKeys()).toEqual(["wf.wf"]);
  });

  it("a 1,000-task flat workflow takes one task write per task, plus its header at submit and at the end", async () => {
    const { kv, store, flusher, run } = setUp(flat(1000));
    await store.save(run);
    run.start();
    await settle();
    for (let i = 0; i < 1000; i++) {
      run.onResult(resultOf(run, `t${i}`));
      if (i % 37 === 0) await flusher.idle;
    }
    await flusher.idle;
    flusher.checkpoint();
    await flusher.idle;
    expect(run.state).toBe("succeeded");
    expect(kv.writes).toBe(1000 + 2);
    expect(kv.writes / 1000).toBeLessThanOrEqual(1.5);
  });

  it("an attempt in flight past CHECKPOINT_AFTER_MS is written once; one that finished meanwhile is not written twice", async () => {
    const { kv, flusher, run, clock } = setUp(flat(3));
    run.start();
    await settle();
    await flusher.idle;
    const before = kv.writes;
    run.onResult(resultOf(run, "t0"));
    clock.advance(CHECKPOINT_AFTER_MS);
    flusher.checkpoint();
    await flusher.idle;
    // t0 settled (one write); t1 and t2 are still under way: one checkpoint each.
    expect(kv.writes - before).toBe(3);
    expect(kv.peek("task.wf.t1")).toBeDefined();
    clock.advance(CHECKPOINT_AFTER_MS);
    flusher.checkpoint();
    await flusher.idle;
    expect(kv.writes - before).toBe(3);
  });

  it("a crash between checkpoints resumes correctly: settled tasks stay, everything else goes again under its attempt number", async () => {
    const retry = { maxAttempts: 3, initialBackoffMs: 100, multiplier: 2, maxBackoffMs: 1000 };
    const tasks = [
      ...flat(6),
      task("flaky", { retry }),
      task("after", { dependsOn: ["t0", "t1"] }),
      task("last", { dependsOn: ["after"] }),
    ];
    const { open, flusher, run, clock, effects } = setUp(tasks);
    await open().save(run);
    run.start();
    await settle();
    // Settled and stored: t0, t1; flaky failed attempt 1 and waits out its backoff (stored), then attempt 2 goes.
    run.onResult(resultOf(run, "t0"));
    run.onResult(resultOf(run, "t1"));
    run.onResult(resultOf(run, "flaky", { error: { code: ErrorCode.UNAVAILABLE, message: "x", retryable: true } }));
    await flusher.idle;
    // t2 runs long enough to be checkpointed.
    clock.advance(CHECKPOINT_AFTER_MS);
    flusher.checkpoint();
    await flusher.idle;
    // After the last checkpoint: t3 settles and "after" goes, neither stored when the coordinator dies.
    run.onResult(resultOf(run, "t3"));
    await settle();
    const inFlight = Object.fromEntries([...run.tasks.values()].filter((t) => t.state === "queued").map((t) => [t.spec.id, t.attempt]));
    expect(inFlight).toEqual({ t2: 1, t4: 1, t5: 1, flaky: 2, after: 1 });
    const sentBefore = new Set(effects.dispatchedIds());

    const successor = new RecordingEffects(clock);
    const loaded = (await open().load("wf", successor))!;
    loaded.resume();
    await settle();
    // Everything not stored as settled goes again; what was in flight goes under the same attempt (same message id).
    const sent = successor.dispatchedIds().sort();
    expect(sent).toEqual(["after#1", "flaky#2", "t2#1", "t3#1", "t4#1", "t5#1"]);
    expect(sent.every((id) => sentBefore.has(id))).toBe(true);
    expect(loaded.calls).toBe(run.calls);
    for (const id of ["t2", "t3", "t4", "t5", "flaky", "after"]) loaded.onResult(resultOf(loaded, id));
    await settle();
    loaded.onResult(resultOf(loaded, "last"));
    expect(loaded.state).toBe("succeeded");
    expect(loaded.tasks.get("t0")).toMatchObject({ state: "succeeded", attempt: 1, output: { value: "t0" } });
  });
});
