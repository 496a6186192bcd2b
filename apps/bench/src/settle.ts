import { setTimeout as sleep } from "node:timers/promises";
import { cpuMs } from "./proc-sample.js";
import type { ProcessRef } from "./system.js";

/** Polled this often; idle once a poll sees at most one clock tick (10 ms) over the processes watched. */
const POLL_MS = 100;
const IDLE_MS = 10;
const MAX_MS = 2_000;

export function cpuOf(refs: readonly ProcessRef[]): Array<number | undefined> {
  return refs.map((ref) => (ref.pid === undefined ? undefined : cpuMs(ref.pid)));
}

function total(values: ReadonlyArray<number | undefined>): number {
  return values.reduce<number>((sum, v) => sum + (v ?? 0), 0);
}

/**
 * After the calls settle, work they caused may still run (a coordinator
 * flushing state, a broker writing to disk): wait until `refs` are idle
 * (at most 2 s), so that CPU is counted to the work that caused it and not
 * to whatever is measured next. Pass other processes than this one: this
 * one is busy polling.
 */
export async function settle(refs: readonly ProcessRef[]): Promise<void> {
  let last = total(cpuOf(refs));
  for (let waited = 0; waited < MAX_MS; waited += POLL_MS) {
    await sleep(POLL_MS);
    const now = total(cpuOf(refs));
    if (now - last <= IDLE_MS) return;
    last = now;
  }
}
