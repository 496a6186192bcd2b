import type { ToolArgs, codeAnalyze, codeGlob, codeGrep, codeRead } from "@toolmesh/tools";

/** A directory the tools may read; `dir` is absolute and realpath'd. */
export interface CodebaseRoot {
  name: string;
  dir: string;
}

/**
 * The part of the runtime's ToolContext these tools use. Declared here so the
 * library does not depend on @toolmesh/runtime; the real context satisfies it.
 */
export interface ToolCallContext {
  signal: AbortSignal;
}

export type CodebaseHandler = (args: Record<string, unknown>, ctx: ToolCallContext) => Promise<Record<string, unknown>>;

export type GlobArgs = ToolArgs<typeof codeGlob>;
export type GrepArgs = ToolArgs<typeof codeGrep>;
export type ReadArgs = ToolArgs<typeof codeRead>;
export type AnalyzeArgs = ToolArgs<typeof codeAnalyze>;

/** One matching line. `column` is the 1-based Unicode code point index of the first match. */
export interface GrepMatch {
  path: string;
  line: number;
  column: number;
  text: string;
  before?: string[];
  after?: string[];
}

export interface GrepOutcome {
  matches: GrepMatch[];
  truncated: boolean;
  /** Text files whose contents were searched; only the built-in engine knows it. */
  filesSearched?: number;
}
