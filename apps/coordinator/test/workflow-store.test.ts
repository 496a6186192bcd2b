import { ErrorCode, type ObjectStore } from "@toolmesh/core";
import type { ValidTask } from "@toolmesh/spec";
import { describe, expect, it } from "vitest";
import { WorkflowStore } from "../src/store/workflow-store.js";
import { CHECKPOINT_AFTER_MS } from "../src/workflow/pending-writes.js";
import { WorkflowRun } from "../src/workflow/run.js";
import { MemoryKv } from "./memory-kv.js";
import { fanIn, RecordingEffects, resultOf, settle, task, TestClock, workflow } from "./workflow-harness.js";

/** The two object-store calls the workflow store makes (putOutput falls back to putBlob without a writer). */
class MemoryBlobs {
  readonly blobs = new Map<string, Uint8Array>();
  putBlob(meta: { name: string }, data: Uint8Array): Promise<void> {
    this.blobs.set(meta.name, data);
    return Promise.resolve();
  }
  getBlob(name: string): Promise<Uint8Array | null> {
    return Promise.resolve(this.blobs.get(name) ?? null);
  }
}

/** Stores over one in-memory bucket: `open()` is another coordinator's view of it. Loaded runs keep `clock`'s time. */
function stores(clock = new TestClock()) {
  const kv = new MemoryKv();
  const blobs = new MemoryBlobs();
  const open = () => new WorkflowStore(kv, blobs as unknown as ObjectStore, clock);
  return { kv, blobs, store: open(), open };
}

const BIG = "x".repeat(600 * 1024);
const failure = (retryable: boolean) => ({ code: ErrorCode.UNAVAILABLE, message: "boom", retryable });

/**
 * A run caught mid-flight with a task in every state: pending (not started,
 * and waiting out a retry), queued, running, succeeded (one with an output
 * too large for KV), failed, cancelled as unneeded; an expanded fan-out with
 * items in two states; a shared call's leader and follower.
 */
async function busyRun(clock: TestClock) {
  const shared = (id: string, extra: Partial<ValidTask> = {}) => task(id, { shareable: true, args: { value: "same" }, ...extra });
  const effects = new RecordingEffects(clock);
  effects.runSynth = () => Promise.resolve({ blob: BIG });
  const run = new WorkflowRun(
    "wf1",
    workflow([
      task("list"),
      task("each", {
        dependsOn: ["list"],
        args: { value: "{{item}}" },
        templated: true,
        forEach: { from: "list", items: "value", maxItems: 10 },
      }),
      shared("lead"),
      shared("follow"),
      task("later", { dependsOn: ["lead"] }),
      task("bad"),
      task("after-bad", { dependsOn: ["bad"] }),
      task("flaky", { retry: { maxAttempts: 3, initialBackoffMs: 1000, multiplier: 2, maxBackoffMs: 10_000 } }),
      task("r1"),
      task("r2"),
      task("first", { dependsOn: ["r1", "r2"], fanIn: fanIn("first_success") }),
      task("big", { tool: "synth.merge", pool: "synth", args: {}, dependsOn: ["list"] }),
    ]),
    effects,
    { clock },
  );
  run.start();
  await settle();
  run.onResult(resultOf(run, "list", { output: { value: ["x", "y"] } }));
  await settle();
  run.onResult(resultOf(run, "each[0]", { output: { value: "X" } }));
  run.onStarted("each[1]", 1, "w2", clock.now());
  run.onResult(resultOf(run, "bad", { error: failure(false) }));
  run.onResult(resultOf(run, "flaky", { error: failure(true) }));
  run.onResult(resultOf(run, "r1"));
  await settle();
  run.children.push("child-wf");
  return { run, effects };
}

function taskSnapshots(run: WorkflowRun) {
  return Object.fromEntries([...run.tasks.values()].map((t) => [t.spec.id, WorkflowRun.taskSnapshot(t)]));
}

/** What busyRun's run marked for writing: settled, retrying and expanded tasks (not those merely dispatched). */
const MARKED = ["list", "each", "each[0]", "each[1]", "bad", "after-bad", "flaky", "r1", "r2", "big"];
/** In flight by then: stored only once a checkpoint finds them still under way (the shared follower never leaves). */
const IN_FLIGHT = ["lead", "first"];

/** Time passes and the flusher's checkpoint looks: attempts under way that long are marked. */
async function checkpoint(run: WorkflowRun, clock: TestClock): Promise<void> {
  clock.advance(CHECKPOINT_AFTER_MS);
  await settle();
  run.writes.checkpoint(clock.now() - CHECKPOINT_AFTER_MS, (id) => run.tasks.get(id));
}

describe("WorkflowStore", () => {
  it("save then load gives back the same run, whatever state its tasks are in", async () => {
    const clock = new TestClock();
    const { run } = await busyRun(clock);
    const states = Object.fromEntries([...run.tasks.values()].map((t) => [t.spec.id, t.state]));
    expect(states).toEqual({
      list: "succeeded",
      each: "running",
      "each[0]": "succeeded",
      "each[1]": "running",
      lead: "queued",
      follow: "queued",
      later: "pending",
      bad: "failed",
      "after-bad": "failed",
      flaky: "pending",
      r1: "succeeded",
      r2: "cancelled",
      first: "queued",
      big: "succeeded",
    });
    expect(run.tasks.get("follow")!.sharedFrom).toBe("lead");
    expect(run.state).toBe("running");

    const { store, open, blobs } = stores(clock);
    await checkpoint(run, clock);
    await store.save(run);
    // The synthesis output was too large for a KV value: it went to the object store, by reference.
    const big = run.tasks.get("big")!;
    expect(big.output).toBeUndefined();
    expect(big.outputRef).toEqual({ name: "wf1/big/coordinator", bytes: expect.any(Number) });
    expect(blobs.blobs.has("wf1/big/coordinator")).toBe(true);

    const loaded = await open().load("wf1", new RecordingEffects(clock));
    expect(loaded).toBeDefined();
    // The shared follower was not stored: it comes back as the spec makes it and follows its leader again on resume.
    expect(loaded!.snapshot()).toEqual({ ...run.snapshot(), calls: run.calls - 1 });
    const want = taskSnapshots(run);
    want.follow = { spec: want.follow!.spec, state: "pending", attempt: 0 };
    expect(taskSnapshots(loaded!)).toEqual(want);
    // Items come back after their parent, in index order.
    expect([...loaded!.tasks.keys()].slice(-2)).toEqual(["each[0]", "each[1]"]);
    expect(JSON.parse(new TextDecoder().decode(blobs.blobs.get("wf1/big/coordinator")))).toEqual({ blob: BIG });
  });

  it("a restored run carries on: the loaded run resumes and finishes", async () => {
    const clock = new TestClock();
    const { run } = await busyRun(clock);
    const { store, open } = stores(clock);
    await store.save(run);
    const effects = new RecordingEffects(clock);
    const loaded = (await open().load("wf1", effects))!;
    loaded.resume();
    await settle();
    // In-flight attempts inside the duplicate window go again as the same attempt; the retry waits no more.
    expect(effects.dispatchedIds().sort()).toEqual(["each[1]#1", "first#1", "flaky#2", "lead#1"]);
    for (const id of ["each[1]", "first", "flaky", "lead"]) loaded.onResult(resultOf(loaded, id));
    await settle();
    loaded.onResult(resultOf(loaded, "later"));
    expect(loaded.tasks.get("follow")!.state).toBe("succeeded");
    expect(loaded.state).toBe("failed");
    expect(loaded.error).toBe("2 of 12 tasks did not succeed");
  });

  it("a restored run carries on after a checkpoint too: attempts in flight go again as the same attempt", async () => {
    const clock = new TestClock();
    const { run } = await busyRun(clock);
    const { store, open } = stores(clock);
    await checkpoint(run, clock);
    await store.save(run);
    const effects = new RecordingEffects(clock);
    const loaded = (await open().load("wf1", effects))!;
    expect(loaded.tasks.get("lead")).toMatchObject({ state: "queued", attempt: 1 });
    loaded.resume();
    await settle();
    expect(effects.dispatchedIds().sort()).toEqual(["each[1]#1", "first#1", "flaky#2", "lead#1"]);
  });

  it("writes only the tasks marked since the last save, and the header only when its state or children changed", async () => {
    const clock = new TestClock();
    const { run } = await busyRun(clock);
    const { kv, store } = stores(clock);
    await store.save(run);
    expect(kv.writes).toBe(MARKED.length + 1);
    await store.save(run);
    expect(kv.writes).toBe(MARKED.length + 1);
    run.onResult(resultOf(run, "lead"));
    await settle();
    await store.save(run);
    // lead and its follower settled; later was only dispatched, and the call count is not the header's to keep.
    expect(kv.writes).toBe(MARKED.length + 3);
    expect(kv.peek("task.wf1.later")).toBeUndefined();
    run.onResult(resultOf(run, "later"));
    for (const id of ["each[1]", "first"]) run.onResult(resultOf(run, id));
    clock.advance(10_000);
    await settle();
    run.onResult(resultOf(run, "flaky"));
    await store.save(run);
    // Tasks are written before the header that speaks of them.
    expect(run.done).toBe(true);
    expect(kv.peek("wf.wf1")!.revision).toBeGreaterThan(kv.peek("task.wf1.later")!.revision);
  });

  it("stores each task under its own key, a fan-out item's index as a key token", async () => {
    const clock = new TestClock();
    const { run } = await busyRun(clock);
    const { kv, store } = stores(clock);
    await checkpoint(run, clock);
    await store.save(run);
    expect(kv.liveKeys()).toEqual(
      expect.arrayContaining(["wf.wf1", "task.wf1.each", "task.wf1.each.0", "task.wf1.each.1", "task.wf1.after-bad"]),
    );
    expect(kv.liveKeys().sort()).toEqual(
      ["wf.wf1", ...[...MARKED, ...IN_FLIGHT].map((id) => `task.wf1.${id.replace(/\[(\d+)\]$/, ".$1")}`)].sort(),
    );
  });

  it("a load primes what was saved: saving the loaded run again writes nothing", async () => {
    const clock = new TestClock();
    const { run } = await busyRun(clock);
    const { kv, store, open } = stores(clock);
    await store.save(run);
    const other = open();
    const loaded = (await other.load("wf1", new RecordingEffects(clock)))!;
    const writes = kv.writes;
    await other.save(loaded);
    expect(kv.writes).toBe(writes);
  });

  it("stores the spec packed, and loads a header stored with the spec whole (before packing) too", async () => {
    const clock = new TestClock();
    const spec = workflow(Array.from({ length: 50 }, (_, i) => task(`t${i}`, { args: { value: i } })));
    const run = new WorkflowRun("wf3", spec, new RecordingEffects(clock), { clock });
    const { kv, store, open } = stores(clock);
    await store.save(run);
    const header = JSON.parse(new TextDecoder().decode(kv.peek("wf.wf3")!.value)) as { spec: { tasks: unknown[] } };
    expect(header.spec.tasks[7]).toEqual({ id: "t7", args: { value: 7 } });
    expect((await open().load("wf3", new RecordingEffects(clock)))!.spec).toEqual(spec);

    kv.set("wf.wf3", new TextEncoder().encode(JSON.stringify(run.snapshot())));
    expect((await open().load("wf3", new RecordingEffects(clock)))!.spec).toEqual(spec);
  });

  it("keeps a spec too large for a KV value in the object store, and loads it back", async () => {
    const clock = new TestClock();
    const run = new WorkflowRun("wf2", workflow([task("a", { args: { value: BIG } })]), new RecordingEffects(clock), { clock });
    const { kv, blobs, store, open } = stores(clock);
    await store.save(run);
    expect(JSON.parse(new TextDecoder().decode(kv.peek("wf.wf2")!.value))).toMatchObject({ specRef: { name: "wf2/spec" } });
    expect(blobs.blobs.has("wf2/spec")).toBe(true);
    const loaded = (await open().load("wf2", new RecordingEffects(clock)))!;
    expect(loaded.spec).toEqual(run.spec);
    expect(loaded.snapshot()).toEqual(run.snapshot());

    // Once the spec has left the object store (outputs expire), the workflow cannot be rebuilt.
    blobs.blobs.clear();
    expect(await open().load("wf2", new RecordingEffects(clock))).toBeUndefined();
  });

  it("loads nothing for an unknown or deleted workflow", async () => {
    const { kv, open } = stores();
    expect(await open().load("nope", new RecordingEffects(new TestClock()))).toBeUndefined();
    kv.set("wf.gone", new TextEncoder().encode("{}"));
    await kv.delete("wf.gone");
    expect(await open().load("gone", new RecordingEffects(new TestClock()))).toBeUndefined();
  });

  it("lists the stored workflows still running, not finished ones, deleted ones or task keys", async () => {
    const clock = new TestClock();
    const { kv, store } = stores(clock);
    const a = new WorkflowRun("a", workflow([task("t")]), new RecordingEffects(clock), { clock });
    const b = new WorkflowRun("b", workflow([task("t")]), new RecordingEffects(clock), { clock });
    const c = new WorkflowRun("c", workflow([task("t")]), new RecordingEffects(clock), { clock });
    for (const run of [a, b, c]) run.start();
    await settle();
    b.onResult(resultOf(b, "t"));
    c.cancel("no longer wanted");
    for (const run of [a, b, c]) await store.save(run);
    kv.set("wf.d", new TextEncoder().encode(JSON.stringify({ state: "running" })));
    await kv.delete("wf.d");
    expect(await store.running()).toEqual(["a"]);
  });

  it("a finished run is forgotten after its save: a later save writes its header again, nothing more", async () => {
    const clock = new TestClock();
    const run = new WorkflowRun("wf3", workflow([task("a"), task("b")]), new RecordingEffects(clock), { clock });
    run.start();
    await settle();
    const { kv, store } = stores(clock);
    await store.save(run);
    run.onResult(resultOf(run, "a"));
    run.onResult(resultOf(run, "b"));
    await store.save(run);
    const writes = kv.writes;
    await store.save(run);
    expect(kv.writes - writes).toBe(1);
    const loaded = (await store.load("wf3", new RecordingEffects(clock)))!;
    expect(loaded.state).toBe("succeeded");
    expect(loaded.done).toBe(true);
  });

  it("a record that is not JSON makes load and the running list reject (nothing skips it)", async () => {
    const clock = new TestClock();
    const run = new WorkflowRun("wf4", workflow([task("a")]), new RecordingEffects(clock), { clock });
    run.start();
    await settle();
    const { kv, store, open } = stores(clock);
    await store.save(run);
    kv.set("task.wf4.a", new TextEncoder().encode("{not json"));
    await expect(open().load("wf4", new RecordingEffects(clock))).rejects.toThrow(SyntaxError);
    kv.set("wf.wf4", new TextEncoder().encode("\u0000garbage"));
    await expect(open().load("wf4", new RecordingEffects(clock))).rejects.toThrow(SyntaxError);
    await expect(store.running()).rejects.toThrow(SyntaxError);
  });

  it("a task record the spec does not name is restored as it was stored", async () => {
    const clock = new TestClock();
    const run = new WorkflowRun("wf5", workflow([task("a")]), new RecordingEffects(clock), { clock });
    run.start();
    await settle();
    const { kv, store, open } = stores(clock);
    await store.save(run);
    kv.set(
      "task.wf5.stray",
      new TextEncoder().encode(JSON.stringify({ spec: task("stray"), state: "succeeded", attempt: 1, output: { v: 1 } })),
    );
    const loaded = (await open().load("wf5", new RecordingEffects(clock)))!;
    expect(loaded.tasks.get("stray")).toMatchObject({ state: "succeeded", output: { v: 1 } });
    expect(loaded.tasks.size).toBe(2);
  });
});
