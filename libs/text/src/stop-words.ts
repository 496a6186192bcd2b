/**
 * English function words: pronouns, determiners, auxiliaries, modals,
 * prepositions, conjunctions and question words. They say how a sentence
 * is built, not what it is about, so no search term is one of them.
 * (Words a request uses to ask — "explain", "show", "find" — are not here:
 * in a document they carry meaning; libs/templates drops them from questions.)
 */
export const STOP_WORDS: ReadonlySet<string> = new Set(
  (
    "a about above after again all also am an and any are as at be because been before being below between both but by " +
    "can could did do does doing done down during each either else ever every few for from further had has have having " +
    "he her here hers him his how i if in into is it its itself just many may me might more most much must my no nor not " +
    "now of off on once one only or other our out over own same shall she should so some such than that the their them " +
    "then there these they this those through to too under until up upon us very via was we were what when where whether " +
    "which while who whom whose why will with within without would you your"
  ).split(" "),
);

/** Whether a lowercased word is a stop word. */
export function isStopWord(word: string): boolean {
  return STOP_WORDS.has(word);
}
