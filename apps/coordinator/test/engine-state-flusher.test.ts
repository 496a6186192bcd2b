import type { JsMsg } from "@nats-io/jetstream";
import type { Logger } from "@toolmesh/core";
import { describe, expect, it, vi } from "vitest";
import { StateFlusher } from "../src/engine/state-flusher.js";
import { CHECKPOINT_AFTER_MS, PendingWrites } from "../src/workflow/pending-writes.js";
import type { WorkflowRun } from "../src/workflow/run.js";

const log = () =>
  ({ debug: vi.fn(), info: vi.fn(), warn: vi.fn(), error: vi.fn() }) as unknown as Logger & {
    warn: ReturnType<typeof vi.fn>;
    error: ReturnType<typeof vi.fn>;
  };
const until = async (check: () => boolean) => {
  for (let i = 0; i < 1000 && !check(); i++) await new Promise((r) => setImmediate(r));
  expect(check()).toBe(true);
};

describe("StateFlusher", () => {
  it("acks results only after the save landed", async () => {
    const save = vi.fn(async () => {});
    const flusher = new StateFlusher({ store: { save }, log: log(), checkpointEveryMs: 0 });
    const ack = vi.fn();
    const run = { id: "w", done: false } as unknown as WorkflowRun;
    flusher.changed(run);
    flusher.ackAfterSave({ ack } as unknown as JsMsg);
    await until(() => ack.mock.calls.length === 1);
    expect(save).toHaveBeenCalledWith(run);
  });

  it("backs off exponentially up to a cap, then cancels the unsaved workflow with the reason and leaves its results unacked", async () => {
    const delays: number[] = [];
    const logger = log();
    const flusher = new StateFlusher({
      store: { save: async () => Promise.reject(new Error("kv down")) },
      log: logger,
      checkpointEveryMs: 0,
      maxFailures: 6,
      initialBackoffMs: 100,
      maxBackoffMs: 1000,
      sleep: async (ms) => void delays.push(ms),
    });
    const cancel = vi.fn();
    const ack = vi.fn();
    flusher.changed({ id: "w", done: false, cancel } as unknown as WorkflowRun);
    flusher.ackAfterSave({ ack } as unknown as JsMsg);
    await until(() => cancel.mock.calls.length === 1);
    expect(delays).toEqual([100, 200, 400, 800, 1000]);
    expect(cancel.mock.calls[0]![0]).toMatch(/could not be stored after 6 attempts: kv down/);
    expect(logger.error).toHaveBeenCalledOnce();
    expect(ack).not.toHaveBeenCalled();
    await flusher.idle;
  });

  it("checkpoints the attempts of the runs it owns, in flight since CHECKPOINT_AFTER_MS, and forgets runs it no longer owns", async () => {
    let nowMs = 10_000;
    let owned = true;
    const saved: string[][] = [];
    const flusher = new StateFlusher({
      store: { save: async (r) => void saved.push(r.writes.take()) },
      log: log(),
      checkpointEveryMs: 0,
      now: () => nowMs,
      owns: () => owned,
    });
    const writes = new PendingWrites();
    const tasks = new Map([
      ["a", { state: "queued", attempt: 1 }],
      ["b", { state: "queued", attempt: 1 }],
    ]);
    const run = { id: "w", done: false, writes, tasks } as unknown as WorkflowRun;
    writes.released("a", 1, nowMs);
    flusher.changed(run);
    await flusher.idle;
    writes.released("b", 1, nowMs + 1000);
    nowMs += CHECKPOINT_AFTER_MS;
    flusher.checkpoint();
    await flusher.idle;
    expect(saved.at(-1)).toEqual(["a"]);
    owned = false;
    nowMs += CHECKPOINT_AFTER_MS;
    flusher.checkpoint();
    await flusher.idle;
    // b came due, but the run is another coordinator's now: nothing marked, nothing saved.
    expect(writes.size).toBe(0);
    expect(saved.at(-1)).toEqual(["a"]);
  });
});
