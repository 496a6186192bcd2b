/**
 * Okapi BM25 (k1 = 1.2, b = 0.75) over whole documents, with the IDF variant
 * that never goes negative so a term in most documents still counts a little.
 */
const K1 = 1.2;
const B = 0.75;
const STOP = new Set(
  "a an and are as at be but by for from has have if in into is it its of on or not that the their then there these this to was were will with".split(" "),
);

export interface Doc {
  path: string;
  title: string;
  text: string;
  tokens: string[];
}

export interface Index {
  docs: Doc[];
  tf: Array<Map<string, number>>;
  df: Map<string, number>;
  avgLen: number;
}

export function tokenize(text: string): string[] {
  return (text.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? []).filter((t) => t.length > 1 && !STOP.has(t));
}

export function buildIndex(docs: Doc[]): Index {
  const df = new Map<string, number>();
  const tf = docs.map((doc) => {
    const counts = new Map<string, number>();
    for (const t of doc.tokens) counts.set(t, (counts.get(t) ?? 0) + 1);
    for (const t of counts.keys()) df.set(t, (df.get(t) ?? 0) + 1);
    return counts;
  });
  const avgLen = docs.reduce((n, d) => n + d.tokens.length, 0) / Math.max(1, docs.length);
  return { docs, tf, df, avgLen };
}

export function bm25Scores(index: Index, terms: string[]): Array<{ doc: Doc; score: number }> {
  const n = index.docs.length;
  const unique = [...new Set(terms)];
  const out: Array<{ doc: Doc; score: number }> = [];
  index.docs.forEach((doc, i) => {
    const counts = index.tf[i];
    if (!counts) return;
    let score = 0;
    for (const term of unique) {
      const f = counts.get(term) ?? 0;
      if (f === 0) continue;
      const df = index.df.get(term) ?? 0;
      const idf = Math.log(1 + (n - df + 0.5) / (df + 0.5));
      score += (idf * f * (K1 + 1)) / (f + K1 * (1 - B + (B * doc.tokens.length) / (index.avgLen || 1)));
    }
    if (score > 0) out.push({ doc, score });
  });
  return out.sort((a, b) => b.score - a.score || a.doc.path.localeCompare(b.doc.path));
}

/** The ~200-character window with the most distinct query terms (then most hits). */
export function bestPassage(text: string, terms: string[], width = 200): string {
  const flat = text.replace(/\s+/g, " ").trim();
  if (flat.length <= width) return flat;
  const wanted = new Set(terms);
  let best = { start: 0, distinct: -1, hits: -1 };
  for (let start = 0; start < flat.length; start += width / 4) {
    const found = tokenize(flat.slice(start, start + width)).filter((t) => wanted.has(t));
    const distinct = new Set(found).size;
    if (distinct > best.distinct || (distinct === best.distinct && found.length > best.hits)) best = { start, distinct, hits: found.length };
  }
  // Start at a word boundary so the snippet does not open mid-word.
  const from = best.start === 0 ? 0 : flat.indexOf(" ", best.start) + 1;
  const piece = flat.slice(from, from + width).trim();
  return `${from > 0 ? "…" : ""}${piece}${from + width < flat.length ? "…" : ""}`;
}
