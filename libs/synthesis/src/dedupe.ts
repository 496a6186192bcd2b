/**
 * synth.dedupe: by key, then by content. Content similarity is the Jaccard
 * index of word 3-gram shingle sets, found with MinHash + LSH: each record
 * gets NUM_HASHES minimum hashes, split into bands; only records sharing a
 * band are compared exactly, so 10k records cost milliseconds, not 50M
 * comparisons. Records that have a path (matches, files, symbols) are code
 * locations, identified by their key alone: two identical TODO lines in two
 * files are two findings.
 */
import { words } from "@toolmesh/text";
import { collect } from "./collect.js";
import type { SynthInput } from "./normalise.js";
import { isBetter, mergeByIdentity, mergeInto, type SynthRecord } from "./record.js";
import { hash32, hostOf } from "./text.js";

export interface DedupeArgs {
  key?: string[] | undefined;
  similarity: number;
  limit: number;
}

export interface DedupeResult {
  records: SynthRecord[];
  count: number;
  removed: { byKey: number; bySimilarity: number };
  skipped: number;
  skippedItems: number;
  truncated: boolean;
}

const SHINGLE = 3;
const NUM_HASHES = 64;
/** Exact comparisons per record at most; only a pathological pile of near-misses in one band reaches it. */
const MAX_CANDIDATES = 64;

export function dedupe(inputs: readonly SynthInput[], args: DedupeArgs): DedupeResult {
  const collected = collect(inputs);
  const result = dedupeRecords(collected.records, args);
  return { ...result, skipped: collected.skipped, skippedItems: collected.skippedItems };
}

export function dedupeRecords(records: readonly SynthRecord[], args: DedupeArgs): Omit<DedupeResult, "skipped" | "skippedItems"> {
  const fields = args.key?.length ? args.key : undefined;
  const byKey = mergeByIdentity(records, fields ? (r) => fieldIdentity(r, fields) : (r) => r.key);
  // With custom fields, records that lack them are still one per record key.
  const keyed = fields ? mergeByIdentity(byKey.records, (r) => r.key) : { records: byKey.records, removed: 0 };
  const similar = args.similarity >= 1 ? { records: keyed.records, removed: 0 } : dedupeBySimilarity(keyed.records, args.similarity);
  const out = similar.records.slice(0, args.limit);
  return {
    records: out,
    count: out.length,
    removed: { byKey: byKey.removed + keyed.removed, bySimilarity: similar.removed },
    truncated: similar.records.length > out.length,
  };
}

/** The values of `fields` ("host" is the URL's host), or undefined when the record has none of them. */
function fieldIdentity(record: SynthRecord, fields: readonly string[]): string | undefined {
  const values = fields.map((f) => {
    const v = f === "host" ? (record.url ? hostOf(record.url) : undefined) : (record as unknown as Record<string, unknown>)[f];
    return v === undefined || v === null ? undefined : typeof v === "string" ? v : JSON.stringify(v);
  });
  return values.every((v) => v === undefined) ? undefined : JSON.stringify(values);
}

/**
 * Sorted unique hashes of a text's word 3-grams (a shorter text is one shingle).
 * Titles are left out: a mirror of a page usually has its own.
 */
export function shingles(text: string): Uint32Array {
  const w = words(text);
  if (w.length === 0) return new Uint32Array(0);
  const set = new Set<number>();
  if (w.length < SHINGLE) set.add(hash32(w.join(" ")));
  else for (let i = 0; i + SHINGLE <= w.length; i++) set.add(hash32(`${w[i]} ${w[i + 1]} ${w[i + 2]}`));
  return Uint32Array.from(set).sort();
}

export function jaccard(a: Uint32Array, b: Uint32Array): number {
  if (a.length === 0 || b.length === 0) return 0;
  let i = 0;
  let j = 0;
  let both = 0;
  while (i < a.length && j < b.length) {
    const x = a[i] as number;
    const y = b[j] as number;
    if (x === y) {
      both++;
      i++;
      j++;
    } else if (x < y) i++;
    else j++;
  }
  return both / (a.length + b.length - both);
}

/** murmur3's finaliser: a cheap, well-mixed permutation of 32-bit values. */
function mix(x: number): number {
  x ^= x >>> 16;
  x = Math.imul(x, 0x85ebca6b);
  x ^= x >>> 13;
  x = Math.imul(x, 0xc2b2ae35);
  x ^= x >>> 16;
  return x >>> 0;
}

const SEEDS = Array.from({ length: NUM_HASHES }, (_, i) => mix(0x9e3779b9 + i * 0x7f4a7c15));

function minhash(set: Uint32Array): Uint32Array {
  const sig = new Uint32Array(NUM_HASHES).fill(0xffffffff);
  for (const x of set) {
    for (let h = 0; h < NUM_HASHES; h++) {
      const v = mix(x ^ (SEEDS[h] as number));
      if (v < (sig[h] as number)) sig[h] = v;
    }
  }
  return sig;
}

/**
 * Rows per band: the most whose LSH threshold (1/bands)^(1/rows) stays well
 * under `similarity`, so pairs at the threshold share a band almost surely
 * (at 0.85: 16 bands of 4 rows; a pair at 0.85 is missed with p ≈ 1e-5).
 */
function rowsFor(similarity: number): number {
  for (const rows of [8, 4, 2]) {
    if (Math.pow(rows / NUM_HASHES, 1 / rows) <= similarity * 0.7) return rows;
  }
  return 1;
}

function dedupeBySimilarity(records: readonly SynthRecord[], similarity: number): { records: SynthRecord[]; removed: number } {
  const rows = rowsFor(similarity);
  const sets: Array<Uint32Array | undefined> = records.map((r) =>
    r.path === undefined ? shingles(r.text.trim() ? r.text : (r.title ?? "")) : undefined,
  );
  // Best first, so the record kept is the higher-scored (then longer) one.
  const order = records
    .map((_, i) => i)
    .sort((a, b) => (a === b ? 0 : isBetter(records[a] as SynthRecord, records[b] as SynthRecord) ? -1 : 1));
  const bands = NUM_HASHES / rows;
  // One map per band from the band's combined hash to the kept records in it; a collision only costs an exact comparison.
  const buckets = Array.from({ length: bands }, () => new Map<number, number[]>());
  const bandHashes = new Uint32Array(bands);
  const keptInto = new Int32Array(records.length).fill(-1);
  let removed = 0;
  for (const i of order) {
    const set = sets[i];
    if (!set || set.length === 0) continue;
    const sig = minhash(set);
    for (let b = 0; b < bands; b++) {
      let h = b;
      for (let k = b * rows; k < (b + 1) * rows; k++) h = mix(h ^ (sig[k] as number)) + 0x9e3779b9;
      bandHashes[b] = h >>> 0;
    }
    let match = -1;
    const seen = new Set<number>();
    search: for (let b = 0; b < bands; b++) {
      for (const j of buckets[b]?.get(bandHashes[b] as number) ?? []) {
        if (seen.has(j)) continue;
        seen.add(j);
        if (jaccard(set, sets[j] as Uint32Array) >= similarity) {
          match = j;
          break search;
        }
        if (seen.size >= MAX_CANDIDATES) break search;
      }
    }
    if (match >= 0) {
      keptInto[i] = match;
      removed++;
      continue;
    }
    for (let b = 0; b < bands; b++) {
      const bucket = buckets[b] as Map<number, number[]>;
      const list = bucket.get(bandHashes[b] as number);
      if (list) list.push(i);
      else bucket.set(bandHashes[b] as number, [i]);
    }
  }
  const out: SynthRecord[] = [];
  const at = new Map<number, number>();
  records.forEach((r, i) => {
    if (keptInto[i] === -1) {
      at.set(i, out.length);
      out.push(r);
    }
  });
  records.forEach((r, i) => {
    const into = keptInto[i] as number;
    if (into === -1) return;
    const pos = at.get(into) as number;
    out[pos] = mergeInto(out[pos] as SynthRecord, r);
  });
  return { records: out, removed };
}
