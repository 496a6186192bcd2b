import { collect } from "./collect.js";
import type { SynthInput } from "./normalise.js";
import { mergeByIdentity, type SynthRecord } from "./record.js";

export interface MergeArgs {
  limit: number;
}

export interface MergeResult {
  records: SynthRecord[];
  count: number;
  /** Records each source contributed to (after merging, a record counts for each of its sources). */
  bySource: Record<string, number>;
  skipped: number;
  skippedItems: number;
  inputs: number;
  truncated: boolean;
}

/** synth.merge: every input's records, one per key (sources and tools unioned), first `limit` in input order. */
export function merge(inputs: readonly SynthInput[], args: MergeArgs): MergeResult {
  const collected = collect(inputs);
  const merged = mergeByIdentity(collected.records, (r) => r.key).records;
  const records = merged.slice(0, args.limit);
  return {
    records,
    count: records.length,
    bySource: countBySource(records),
    skipped: collected.skipped,
    skippedItems: collected.skippedItems,
    inputs: collected.inputs,
    truncated: merged.length > records.length,
  };
}

export function countBySource(records: readonly SynthRecord[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const r of records) for (const s of r.sources) out[s] = (out[s] ?? 0) + 1;
  return out;
}
