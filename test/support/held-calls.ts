import type { ToolHandlers } from "@toolmesh/runtime";
import { testHandlers } from "@toolmesh/testpool";

export interface HeldCalls {
  /** testHandlers, with a test.sleep this object watches. */
  handlers: ToolHandlers;
  /** Values of the test.sleep calls running in the worker now. */
  running: Set<string>;
  /** Values of the test.sleep calls that were aborted (cancel, timeout). */
  aborted: Set<string>;
  /** Ends the held call `value` (and any started later with that value) successfully. */
  release(value: string): void;
}

/**
 * test.sleep calls a test can see and steer, so it waits for a condition
 * instead of guessing how long the machine takes: every call is in `running`
 * while it runs, and one whose value starts with "hold:" runs until the test
 * releases it or the call is aborted (its `ms` is ignored).
 */
export function heldCalls(): HeldCalls {
  const running = new Set<string>();
  const aborted = new Set<string>();
  const released = new Set<string>();
  const waiters = new Map<string, Array<() => void>>();
  const handlers: ToolHandlers = {
    ...testHandlers,
    "test.sleep": async (args, ctx) => {
      const value = String((args.value as string | number | undefined) ?? "");
      running.add(value);
      try {
        if (!value.startsWith("hold:")) return await testHandlers["test.sleep"]!(args, ctx);
        await new Promise<void>((resolve, reject) => {
          if (released.has(value)) return resolve();
          waiters.set(value, [...(waiters.get(value) ?? []), resolve]);
          ctx.signal.addEventListener("abort", () => reject(ctx.signal.reason), { once: true });
        });
        return { sleptMs: args.ms, value };
      } catch (err) {
        if (ctx.signal.aborted) aborted.add(value);
        throw err;
      } finally {
        running.delete(value);
      }
    },
  };
  return {
    handlers,
    running,
    aborted,
    release(value) {
      released.add(value);
      for (const resolve of waiters.get(value) ?? []) resolve();
      waiters.delete(value);
    },
  };
}
