/** Text helpers of the synth tools: hashes, URLs and paths found in text (words and terms come from @toolmesh/text). */
import { canonicalUrl } from "@toolmesh/core";

export { canonicalUrl };

/** FNV-1a, 32 bits: fast and good enough to bucket shingles. */
export function hash32(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** A short, stable hex id of a text. */
export function shortHash(text: string): string {
  return hash32(text).toString(16).padStart(8, "0");
}

/** The host of a URL without "www.", or undefined if it is not one. */
export function hostOf(raw: string): string | undefined {
  try {
    const host = new URL(raw).hostname.toLowerCase();
    return host ? host.replace(/^www\./, "") : undefined;
  } catch {
    return undefined;
  }
}

const URL_IN_TEXT = /\bhttps?:\/\/[^\s<>"'`()[\]{}]+/gi;

/** Canonical URLs written in a text (trailing punctuation dropped). */
export function urlsIn(text: string): string[] {
  const out = new Set<string>();
  for (const m of text.match(URL_IN_TEXT) ?? []) out.add(canonicalUrl(m.replace(/[.,;:!?]+$/, "")));
  return [...out];
}

// "libs/core/src/errors.ts", "./src/a.ts:12", "README.md": path-like tokens with a slash or an extension.
const PATH_IN_TEXT = /(?<![\w/.:-])(?:\.\/)?((?:[\w@.-]+\/)*[\w@.-]*[\w-]\.[A-Za-z][\w]{0,9}|(?:[\w@.-]+\/)+[\w@.-]+)(?::\d+)?/g;

/** Path-like tokens in a text, without "./" and ":line"; URLs are left out. */
export function pathsIn(text: string): string[] {
  const out = new Set<string>();
  const withoutUrls = text.replace(URL_IN_TEXT, " ");
  for (const m of withoutUrls.matchAll(PATH_IN_TEXT)) {
    const path = (m[1] ?? "").replace(/\/+$/, "");
    if (path && !/^\d+(\.\d+)*$/.test(path)) out.add(path);
  }
  return [...out];
}

/** At most `max` characters, cut at a word boundary when one is near, with "…". */
export function clip(text: string, max: number): string {
  const flat = text.replace(/\s+/g, " ").trim();
  if (flat.length <= max) return flat;
  const cut = flat.slice(0, max);
  const space = cut.lastIndexOf(" ");
  return `${space > max * 0.6 ? cut.slice(0, space) : cut}…`;
}
