/**
 * @toolmesh/text — the one tokenizer, stop-word list and BM25 scorer that
 * web search's local index, synth.rank/correlate and the templates share, so
 * a query means the same words everywhere.
 *
 *   const index = new Bm25Index(docs.map((d) => d.text));
 *   const scores = index.scores("queue group workers"); // one per doc
 */
export { Bm25Index } from "./bm25.js";
export { bestPassage } from "./passage.js";
export { STOP_WORDS, isStopWord } from "./stop-words.js";
export { searchTerms, stem, tokenize, words } from "./tokenize.js";
