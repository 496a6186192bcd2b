import { searchTerms } from "./tokenize.js";

/** Okapi BM25's usual parameters: term-frequency saturation and length normalisation. */
const K1 = 1.2;
const B = 0.75;

/**
 * Okapi BM25 over a fixed set of texts (k1 = 1.2, b = 0.75), with the IDF
 * variant that never goes negative, so a term in most texts still counts a
 * little. Texts and queries both go through `searchTerms`.
 */
export class Bm25Index {
  readonly #tf: Array<Map<string, number>> = [];
  readonly #lengths: number[] = [];
  readonly #df = new Map<string, number>();
  readonly #avgLength: number;

  constructor(texts: readonly string[]) {
    for (const text of texts) {
      const terms = searchTerms(text);
      const counts = new Map<string, number>();
      for (const t of terms) counts.set(t, (counts.get(t) ?? 0) + 1);
      for (const t of counts.keys()) this.#df.set(t, (this.#df.get(t) ?? 0) + 1);
      this.#tf.push(counts);
      this.#lengths.push(terms.length);
    }
    this.#avgLength = this.#lengths.reduce((n, l) => n + l, 0) / Math.max(1, texts.length) || 1;
  }

  get size(): number {
    return this.#tf.length;
  }

  /** Each text's score for the query, in the texts' order (0 where no term matches). */
  scores(query: string): number[] {
    const terms = [...new Set(searchTerms(query))];
    const n = this.#tf.length;
    return this.#tf.map((counts, i) => {
      let score = 0;
      for (const term of terms) {
        const f = counts.get(term) ?? 0;
        if (f === 0) continue;
        const df = this.#df.get(term) ?? 0;
        const idf = Math.log(1 + (n - df + 0.5) / (df + 0.5));
        score += (idf * f * (K1 + 1)) / (f + K1 * (1 - B + (B * (this.#lengths[i] ?? 0)) / this.#avgLength));
      }
      return score;
    });
  }
}
