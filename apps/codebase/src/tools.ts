import type { ToolArgs, codeAnalyze, codeGlob, codeGrep, codeRead } from "@toolmesh/tools";
import { analyzeTree } from "./analyze.js";
import { globFiles } from "./glob.js";
import { grepFiles } from "./grep.js";
import { detectRipgrep } from "./grep-ripgrep.js";
import { readFileRange } from "./read.js";
import type { CodebaseRoot } from "./roots.js";

export interface CodebaseToolsOptions {
  roots: CodebaseRoot[];
  /** ripgrep binary; undefined: detect `rg` on PATH; null: never use it. */
  ripgrep?: string | null | undefined;
  /** Cap on code.read whatever the call asks for. */
  maxReadBytes?: number;
}

type Handler = (args: Record<string, unknown>, ctx: { signal: AbortSignal }) => Promise<Record<string, unknown>>;

export interface CodebaseTools {
  "code.glob": Handler;
  "code.grep": Handler;
  "code.read": Handler;
  "code.analyze": Handler;
  engine: "ripgrep" | "builtin";
}

/** The codebase pool's handlers over `roots`; arguments arrive parsed by @toolmesh/tools. */
export function createCodebaseTools(options: CodebaseToolsOptions): CodebaseTools {
  const ripgrep = options.ripgrep === null ? undefined : detectRipgrep(options.ripgrep ?? "rg");
  const roots = options.roots;
  const hardCap = options.maxReadBytes ?? 16 * 1024 * 1024;
  return {
    "code.glob": (args, ctx) => globFiles(roots, args as ToolArgs<typeof codeGlob>, ctx.signal),
    "code.grep": (args, ctx) => grepFiles(roots, ripgrep, args as ToolArgs<typeof codeGrep>, ctx.signal),
    "code.read": (args, ctx) => readFileRange(roots, args as ToolArgs<typeof codeRead>, hardCap, ctx.signal),
    "code.analyze": (args, ctx) => analyzeTree(roots, args as ToolArgs<typeof codeAnalyze>, ctx.signal),
    engine: ripgrep ? "ripgrep" : "builtin",
  };
}
