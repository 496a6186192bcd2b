/**
 * Search terms from free text: what a person would grep for when asked the
 * question. Quoted phrases stay whole; other words are kept when they carry
 * meaning (not stop words, at least 3 characters or with a digit/capital).
 */
const STOP_WORDS = new Set(
  (
    "a about above after again all also am an and any are as at be because been before being below between both but by can " +
    "could did do does doing done down during each either else ever every few find for from further get gets got had has have " +
    "having he her here hers him his how i if in into is it its itself just let like made make many may me might more most " +
    "much must my need no nor not now of off on once one only or other our out over own please same shall she should show so " +
    "some such than that the their them then there these they this those through to too under until up upon us use used uses " +
    "using very via was way we were what when where whether which while who whom whose why will with within without would " +
    "you your explain describe tell work works working handle handled handles happen happens"
  ).split(" "),
);

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
    if (!word || STOP_WORDS.has(word.toLowerCase())) continue;
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
