import { normalise, type SynthInput } from "./normalise.js";
import type { SynthRecord } from "./record.js";

export interface Collected {
  /** Every record of every input, in input order, not yet merged. */
  records: SynthRecord[];
  /** Inputs nothing could be read from. */
  skipped: number;
  /** Items dropped inside otherwise readable inputs. */
  skippedItems: number;
  inputs: number;
}

/** Normalises every input; a malformed one is counted, never thrown. */
export function collect(inputs: readonly SynthInput[]): Collected {
  const records: SynthRecord[] = [];
  let skipped = 0;
  let skippedItems = 0;
  // Array.isArray narrows to any[]; the annotation keeps the element type.
  const list: readonly SynthInput[] = Array.isArray(inputs) ? inputs : [];
  for (const input of list) {
    const n = normalise(input);
    if (!n.readable) skipped++;
    skippedItems += n.skippedItems;
    for (const r of n.records) records.push(r);
  }
  return { records, skipped, skippedItems, inputs: list.length };
}
