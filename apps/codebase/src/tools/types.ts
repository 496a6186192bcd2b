import type { ToolArgs, ToolOutput, codeAnalyze, codeGlob, codeGrep, codeRead } from "@toolmesh/tools";

/** A directory the tools may read; `dir` is absolute and realpath'd. */
export interface CodebaseRoot {
  name: string;
  dir: string;
}

export type GlobArgs = ToolArgs<typeof codeGlob>;
export type GrepArgs = ToolArgs<typeof codeGrep>;
export type ReadArgs = ToolArgs<typeof codeRead>;
export type AnalyzeArgs = ToolArgs<typeof codeAnalyze>;
export type GlobOutput = ToolOutput<typeof codeGlob>;
export type GrepOutput = ToolOutput<typeof codeGrep>;
export type ReadOutput = ToolOutput<typeof codeRead>;
export type AnalyzeOutput = ToolOutput<typeof codeAnalyze>;

/** One matching line. `column` is the 1-based Unicode code point index of the first match. */
export type GrepMatch = GrepOutput["matches"][number];

export interface GrepOutcome {
  matches: GrepMatch[];
  truncated: boolean;
  /** Text files whose contents were searched; only the built-in engine knows it. */
  filesSearched?: number;
}
