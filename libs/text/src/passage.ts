import { searchTerms } from "./tokenize.js";

/**
 * The `width`-character window of a text with the most distinct query terms
 * (then the most hits), whitespace flattened, opening at a word boundary and
 * marked with "…" where it was cut.
 */
export function bestPassage(text: string, query: string, width = 200): string {
  const flat = text.replace(/\s+/g, " ").trim();
  if (flat.length <= width) return flat;
  const wanted = new Set(searchTerms(query));
  let best = { start: 0, distinct: -1, hits: -1 };
  for (let start = 0; start < flat.length; start += width / 4) {
    const found = searchTerms(flat.slice(start, start + width)).filter((t) => wanted.has(t));
    const distinct = new Set(found).size;
    if (distinct > best.distinct || (distinct === best.distinct && found.length > best.hits))
      best = { start, distinct, hits: found.length };
  }
  // Start at a word boundary so the snippet does not open mid-word.
  const from = best.start === 0 ? 0 : flat.indexOf(" ", best.start) + 1;
  const piece = flat.slice(from, from + width).trim();
  return `${from > 0 ? "…" : ""}${piece}${from + width < flat.length ? "…" : ""}`;
}
