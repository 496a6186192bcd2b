import type { Logger } from "@toolmesh/core";
import { describe, expect, it, vi } from "vitest";
import { superviseLoop } from "../src/engine/results-loop.js";

async function* items<T>(...values: T[]): AsyncIterable<T> {
  yield* values;
}
async function* failing(): AsyncIterable<number> {
  yield 1;
  throw new Error("consumer gone");
}

describe("superviseLoop", () => {
  it("notices a loop that ends or throws while leading, logs it and reopens with backoff", async () => {
    const error = vi.fn();
    const seen: number[] = [];
    const delays: number[] = [];
    let stopping = false;
    const sources = [failing(), items(2, 3)];
    await superviseLoop<number>({
      first: items(0),
      open: async () => {
        const next = sources.shift();
        if (!next) {
          stopping = true;
          return items<number>();
        }
        return next;
      },
      handle: (n) => seen.push(n),
      stopping: () => stopping,
      log: { error } as unknown as Logger,
      initialBackoffMs: 10,
      maxBackoffMs: 15,
      sleep: async (ms) => void delays.push(ms),
    });
    expect(seen).toEqual([0, 1, 2, 3]);
    expect(error).toHaveBeenCalledTimes(3);
    expect(error.mock.calls[1]![0].err).toBeInstanceOf(Error);
    expect(delays).toEqual([10, 10, 10]);
  });

  it("ends quietly when the source ends because the engine is stopping", async () => {
    const error = vi.fn();
    const open = vi.fn();
    let stopping = false;
    await superviseLoop<number>({
      first: items(1),
      open,
      handle: () => (stopping = true),
      stopping: () => stopping,
      log: { error } as unknown as Logger,
    });
    expect(error).not.toHaveBeenCalled();
    expect(open).not.toHaveBeenCalled();
  });
});
