import { isStopWord } from "./stop-words.js";

/** A word: letters, digits and underscores, so `snake_case` identifiers stay whole. */
const WORD = /[\p{L}\p{N}_]+/gu;

/** Where an identifier splits: underscores, lower→Upper (`toolArgs`), and an acronym's end (`HTTPServer`). */
const IDENTIFIER_PARTS = /_+|(?<=[\p{Ll}\p{N}])(?=\p{Lu})|(?<=\p{Lu})(?=\p{Lu}\p{Ll})/u;

/** Every word of a text, lowercased, in order (stop words included): for shingles and exact matching. */
export function words(text: string): string[] {
  return text.toLowerCase().match(WORD) ?? [];
}

/**
 * The search terms of a text, in order: its words lowercased, without stop
 * words and single characters, plus the parts of camelCase and snake_case
 * identifiers, so "parseToolArgs" is found by "tool".
 */
export function tokenize(text: string): string[] {
  const out: string[] = [];
  for (const raw of text.match(WORD) ?? []) {
    const word = raw.toLowerCase();
    if (word.length > 1 && !isStopWord(word)) out.push(word);
    const parts = raw.split(IDENTIFIER_PARTS).filter(Boolean);
    if (parts.length > 1) for (const part of parts) if (part.length > 1) out.push(part.toLowerCase());
  }
  return out;
}

/**
 * A term with a plural ending dropped, so "statuses" finds "status" and
 * "queries" finds "query". Crude on purpose ("uses" becomes "us"): both sides
 * of a lookup go through it, so mostly only agreement matters. Words in
 * "ss" and "us" are taken as singular (class, status, bus).
 */
export function stem(term: string): string {
  if (term.length <= 3 || !term.endsWith("s") || term.endsWith("ss") || term.endsWith("us")) return term;
  if (term.endsWith("ies")) return `${term.slice(0, -3)}y`;
  return term.slice(0, term.endsWith("ses") ? -2 : -1);
}

/** What BM25 indexes and looks up: the tokens, stemmed. */
export function searchTerms(text: string): string[] {
  return tokenize(text).map(stem);
}
