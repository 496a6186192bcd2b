type Libraries = [typeof import("@mozilla/readability"), typeof import("linkedom")];
let libraries: Promise<Libraries> | undefined;

/**
 * The DOM and Readability are loaded with the first page to extract: they are
 * a third of an idle web worker's memory (~25 MB), and many workers only search.
 */
function loadLibraries(): Promise<Libraries> {
  libraries ??= Promise.all([import("@mozilla/readability"), import("linkedom")]);
  return libraries;
}

/**
 * The part of linkedom's DOM read here. Its own types return the browser's
 * Window, which does not exist without the DOM lib (not loaded in Node code).
 */
interface ParsedPage {
  document: {
    querySelector(selector: string): { textContent: string | null } | null;
    querySelectorAll(selector: string): Iterable<{ remove(): void }>;
    body: { textContent: string | null } | null;
    documentElement: { textContent: string | null } | null;
  };
}

/**
 * HTML to readable text: Readability finds the article and drops navigation,
 * ads and footers; when it finds nothing article-like the body text is the
 * fallback (minus script/style/noscript, which are never prose).
 */
export async function extractReadable(html: string): Promise<{ title?: string; text: string }> {
  const [{ Readability }, linkedom] = await loadLibraries();
  const parseHTML = (markup: string): ParsedPage => linkedom.parseHTML(markup) as ParsedPage;
  const { document } = parseHTML(html);
  const pageTitle = document.querySelector("title")?.textContent?.trim() || undefined;
  try {
    // Readability mutates the DOM it is given, so it gets its own parse.
    const { document: copy } = parseHTML(html);
    const article = new Readability(copy, { charThreshold: 200 }).parse();
    const text = normalizeSpace(article?.textContent ?? "");
    if (article && text) return { title: article.title?.trim() || pageTitle, text };
  } catch {
    // Readability chokes on some malformed pages; the body text still serves.
  }
  for (const el of document.querySelectorAll("script, style, noscript, template")) el.remove();
  return { title: pageTitle, text: normalizeSpace(document.body?.textContent ?? document.documentElement?.textContent ?? "") };
}

/** Collapses runs of spaces but keeps paragraph breaks, which carry structure. */
export function normalizeSpace(text: string): string {
  return text
    .replace(/[ \t\f\v\r\u00a0]+/g, " ")
    .replace(/ *\n[ \n]*/g, "\n")
    .trim();
}
