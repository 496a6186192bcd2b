import { performance } from "node:perf_hooks";

export interface WindowResult {
  calls: number;
  /** From the first call to the last one settled (the in-flight calls at the deadline included). */
  seconds: number;
  latenciesMs: number[];
}

/**
 * Keeps `concurrency` calls in flight until `durationMs` has passed, then
 * waits for those in flight. `nextIndex` hands out call indexes (unique over
 * the run). The first failure stops every lane and is rethrown.
 */
export async function runWindow(
  call: (index: number) => Promise<void>,
  durationMs: number,
  concurrency: number,
  nextIndex: () => number,
): Promise<WindowResult> {
  const latenciesMs: number[] = [];
  const started = performance.now();
  const deadline = started + durationMs;
  let failed = false;
  const lane = async (): Promise<void> => {
    while (!failed && performance.now() < deadline) {
      const t0 = performance.now();
      try {
        await call(nextIndex());
      } catch (err) {
        failed = true;
        throw err;
      }
      latenciesMs.push(performance.now() - t0);
    }
  };
  const outcomes = await Promise.allSettled(Array.from({ length: concurrency }, lane));
  const rejected = outcomes.find((o): o is PromiseRejectedResult => o.status === "rejected");
  if (rejected) throw rejected.reason;
  return { calls: latenciesMs.length, seconds: (performance.now() - started) / 1000, latenciesMs };
}

/** `count` calls one after another: the latency of a single call with nothing else in flight. */
export async function runSequential(call: (index: number) => Promise<void>, count: number, nextIndex: () => number): Promise<number[]> {
  const latenciesMs: number[] = [];
  for (let i = 0; i < count; i++) {
    const t0 = performance.now();
    await call(nextIndex());
    latenciesMs.push(performance.now() - t0);
  }
  return latenciesMs;
}
