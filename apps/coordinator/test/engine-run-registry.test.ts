import { describe, expect, it } from "vitest";
import { RunRegistry } from "../src/engine/run-registry.js";
import { SHARED_RESULTS_BYTES, TASK_BYTES, runBytes, sharedResultsCache, valueBytes } from "../src/engine/memory-bounds.js";
import { WorkflowRun } from "../src/workflow/run.js";
import { RecordingEffects, resultOf, settle, task, TestClock, workflow } from "./workflow-harness.js";

const run = (id: string, createdAtMs: number, done = true, tasks = 1) =>
  ({
    id,
    createdAtMs,
    done,
    tasks: new Map(Array.from({ length: tasks }, (_, i) => [`t${i}`, { spec: { args: {} } }])),
  }) as unknown as WorkflowRun;

/** A real run of `tasks` independent tasks, started on a test clock: all of them dispatched. */
async function startedRun(id: string, createdAtMs: number, tasks: number): Promise<WorkflowRun> {
  const clock = new TestClock(createdAtMs);
  const ids = Array.from({ length: tasks }, (_, i) => `t${i}`);
  const wf = new WorkflowRun(id, workflow(ids.map((t) => task(t))), new RecordingEffects(clock), { clock });
  wf.start();
  await settle();
  return wf;
}

/** Every task answered with `output`: the run ends. */
function answerAll(wf: WorkflowRun, output: Record<string, unknown>): WorkflowRun {
  for (const t of wf.tasks.keys()) wf.onResult(resultOf(wf, t, { output }));
  expect(wf.state).toBe("succeeded");
  return wf;
}

const finishedRun = async (id: string, createdAtMs: number, tasks: number, output: Record<string, unknown>): Promise<WorkflowRun> =>
  answerAll(await startedRun(id, createdAtMs, tasks), output);

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

  it("keeps finished runs within a byte budget: runs with large outputs are evicted sooner than their task count says", async () => {
    const budget = 4 * 1024 * 1024;
    // 10 tasks of 64 KiB outputs: ~650 KB a run, so ~6 of them fit; by task count (5,000) all 40 would stay.
    const registry = new RunRegistry(10_000, 5_000, budget);
    const output = { value: "x".repeat(64 * 1024) };
    for (let i = 1; i <= 40; i++) {
      // In the engine's order: added (and evicting) at submit, counted once it finished.
      const wf = await startedRun(`wf${i}`, i * 1000, 10);
      registry.add(wf);
      registry.evictFinished();
      registry.finished(answerAll(wf, output));
      expect(registry.retained.bytes).toBeLessThanOrEqual(budget + runBytes(wf));
    }
    const kept = registry.retained;
    expect(kept.runs).toBeGreaterThanOrEqual(5);
    expect(kept.runs).toBeLessThanOrEqual(8);
    expect(kept.tasks).toBe(kept.runs * 10);
    // The newest are the ones kept.
    expect(registry.list(3).map((r) => r.id)).toEqual(["wf40", "wf39", "wf38"]);
  });

  it("counts a run once however often it is added or reported finished, and forgets its cost with it", async () => {
    const registry = new RunRegistry(100, 1_000, 100 * 1024 * 1024);
    const wf = await finishedRun("wf", 1000, 3, { value: "y".repeat(10_000) });
    registry.add(wf);
    registry.finished(wf);
    registry.add(wf);
    expect(registry.retained).toEqual({ runs: 1, tasks: 3, bytes: runBytes(wf) });
    registry.delete("wf");
    expect(registry.retained).toEqual({ runs: 0, tasks: 0, bytes: 0 });
  });

  it("evicts when a finished run read back from the store comes in, without a submit", () => {
    const registry = new RunRegistry(100, 3);
    for (let i = 1; i <= 10; i++) registry.add(run(`old${i}`, i, true, 1));
    expect(registry.retained.tasks).toBe(3);
    expect(registry.list(10).map((r) => r.id)).toEqual(["old10", "old9", "old8"]);
  });
});

describe("run size estimate", () => {
  it("counts long strings by their length, containers by their slots, and tasks at TASK_BYTES at least", async () => {
    expect(valueBytes("z".repeat(100_000))).toBeGreaterThanOrEqual(100_000);
    expect(valueBytes({ list: Array.from({ length: 1000 }, (_, i) => i) })).toBeGreaterThanOrEqual(16_000);
    expect(valueBytes(undefined)).toBe(0);
    const wf = await finishedRun("wf", 1000, 4, { value: "w".repeat(256 * 1024) });
    expect(runBytes(wf)).toBeGreaterThanOrEqual(4 * (TASK_BYTES + 256 * 1024));
  });

  it("bounds the results of shareable calls kept across workflows by bytes, newest kept", () => {
    const cache = sharedResultsCache(60_000);
    for (let i = 0; i < 200; i++) cache.set(`call${i}`, { value: String(i).padEnd(256 * 1024, ".") });
    expect(cache.calculatedSize).toBeLessThanOrEqual(SHARED_RESULTS_BYTES);
    expect(cache.size).toBeLessThan(200);
    expect(cache.has("call199")).toBe(true);
    expect(cache.has("call0")).toBe(false);
  });
});
