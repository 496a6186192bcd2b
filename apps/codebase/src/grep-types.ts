import type { ToolArgs, codeGrep } from "@toolmesh/tools";

export type GrepArgs = ToolArgs<typeof codeGrep>;

/** One matching line; column is the 1-based character index of the first match. */
export interface GrepMatch {
  path: string;
  line: number;
  column: number;
  text: string;
  before?: string[];
  after?: string[];
}

export interface GrepResult {
  matches: GrepMatch[];
  truncated: boolean;
}

/** Longest line text returned; the rest of a minified line is cut. */
export const MAX_LINE_CHARS = 2000;

export function clip(line: string): string {
  return line.length > MAX_LINE_CHARS ? line.slice(0, MAX_LINE_CHARS) : line;
}

/** Escapes a literal for a regex (JS and Rust agree on these escapes). */
export function escapeRegex(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
