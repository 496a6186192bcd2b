/**
 * What the coordinator keeps of finished work is bounded by estimated bytes
 * as well as by count: a count alone lets outputs of up to 256 KiB each
 * (INLINE_OUTPUT_BYTES) add up to gigabytes.
 */
import { LRUCache } from "lru-cache";
import type { WorkflowRun } from "../workflow/run.js";

/**
 * What a finished run holds per task besides its arguments, output and
 * error: the task record, its spec, the run's maps of it, its cleared
 * timer. Finished 1,000-task runs with tiny outputs held ~770 bytes a task
 * of heap after GC (measured in-process, docs/architecture.md "Worker
 * memory"): 1 KiB errs on the safe side.
 */
export const TASK_BYTES = 1024;

/** Values walked at most per estimate: past it the rest is not counted (outputs are JSON, so no cycles, but no walk without an end). */
const MAX_NODES = 1_000_000;

/**
 * Rough heap bytes of a JSON value: a string its length and a header, a
 * number or a boolean 8, an array or an object a header and 8 a slot, plus
 * what they hold. Cost by the number of values, not their bytes: a long
 * string is not copied or encoded.
 */
export function valueBytes(value: unknown): number {
  let bytes = 0;
  let nodes = 0;
  const stack: unknown[] = [value];
  while (stack.length > 0 && nodes < MAX_NODES) {
    const v = stack.pop();
    nodes += 1;
    if (typeof v === "string") bytes += 16 + v.length;
    else if (Array.isArray(v)) {
      bytes += 16 + 8 * v.length;
      for (const item of v) stack.push(item);
    } else if (v !== null && typeof v === "object") {
      bytes += 24;
      for (const key in v) {
        bytes += 8 + key.length;
        stack.push((v as Record<string, unknown>)[key]);
      }
    } else if (v !== undefined) bytes += 8;
  }
  return bytes;
}

/** What keeping `run` in memory costs, roughly: per task TASK_BYTES, its arguments, its output (not one stored by reference) and its error. */
export function runBytes(run: WorkflowRun): number {
  let bytes = 0;
  for (const task of run.tasks.values())
    bytes += TASK_BYTES + valueBytes(task.spec.args) + valueBytes(task.output) + (task.error ? valueBytes(task.error.message) : 0);
  return bytes;
}

/** Estimated bytes the results of shareable calls kept across workflows may hold in all. */
export const SHARED_RESULTS_BYTES = 32 * 1024 * 1024;

/** Results of shareable calls reused across workflows for `ttlMs` (TOOLMESH_SHARE_TTL_MS): at most 10,000 and SHARED_RESULTS_BYTES of them. */
export function sharedResultsCache(ttlMs: number): LRUCache<string, Record<string, unknown>> {
  return new LRUCache({ max: 10_000, maxSize: SHARED_RESULTS_BYTES, sizeCalculation: (output) => valueBytes(output), ttl: ttlMs });
}
