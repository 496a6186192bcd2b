/**
 * Search terms from free text: what a person would grep for when asked the
 * question. Quoted phrases stay whole; other words are kept when they carry
 * meaning (not stop words, at least 3 characters or with a digit/capital).
 * Unlike `tokenize` of @toolmesh/text, terms keep their case and their
 * dots, dashes and slashes: they are grepped for, not looked up in an index.
 */
import { isStopWord } from "@toolmesh/text";

/** Words a request asks with ("explain how X works"): meaning-free in a question, though not in a document. */
const REQUEST_WORDS = new Set(
  "describe explain find get gets got handle handled handles happen happens let like made make need please show tell use used uses using way work working works".split(
    " ",
  ),
);

const isNoise = (word: string): boolean => isStopWord(word) || REQUEST_WORDS.has(word);

/** Characters that end a word; "_", "$", "-", "." and "/" stay inside identifiers and paths. */
const WORD_BREAK = /[^\p{L}\p{N}_$\-./]+/u;

export function termsOf(text: string, max = 8): string[] {
  const terms: string[] = [];
  const seen = new Set<string>();
  const add = (term: string): void => {
    const key = term.toLowerCase();
    if (terms.length >= max || seen.has(key)) return;
    seen.add(key);
    terms.push(term);
  };
  const unquoted = text.replace(/"([^"]{2,})"/g, (_, phrase: string) => {
    add(phrase.trim().replace(/\s+/g, " "));
    return " ";
  });
  for (const raw of unquoted.split(WORD_BREAK)) {
    const word = raw.replace(/^[-./]+|[-./]+$/g, "");
    if (!word || isNoise(word.toLowerCase())) continue;
    const distinctive = /[\p{N}_$]/u.test(word) || /\p{Lu}/u.test(word.slice(1));
    if (word.length >= 3 || (word.length === 2 && distinctive)) add(word);
  }
  return terms;
}

/** A regex source matching any of `terms` literally. */
export function anyOf(terms: readonly string[]): string {
  return terms.map((t) => t.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")).join("|");
}

/** `text` cut to at most `max` characters, at a word boundary when one is near. */
export function clip(text: string, max: number): string {
  if (text.length <= max) return text;
  const cut = text.slice(0, max);
  const space = cut.lastIndexOf(" ");
  return (space > max / 2 ? cut.slice(0, space) : cut).trim();
}
