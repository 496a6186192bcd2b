import { OTHER_LANGUAGE, languageOf as knownLanguageOf } from "@toolmesh/tools";

/** The language of a file from its name (the shared table in @toolmesh/tools); "Other" when unknown. */
export function languageOf(path: string): string {
  return knownLanguageOf(path) ?? OTHER_LANGUAGE;
}

/** Extensions parsed with the TypeScript compiler for symbols. */
export function isScriptFile(path: string): boolean {
  return /\.(?:[cm]?[jt]s|[jt]sx)$/i.test(path);
}
