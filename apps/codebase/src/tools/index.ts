/**
 * The codebase pool's four tools as a library: code.glob, code.grep
 * (ripgrep or the built-in engine), code.read and code.analyze, confined to
 * configured roots. The worker wiring lives elsewhere; handlers take
 * arguments already parsed by @toolmesh/tools and a ToolCallContext (of which
 * they use only the signal).
 *
 *   const tools = createCodebaseTools({ roots: parseRoots(["app=/srv/app"]) });
 *   await tools["code.grep"](parseToolArgs("code.grep", { pattern: "TODO" }), { signal });
 *
 * Semantics shared by all tools and both engines:
 *  - Paths in and out are relative to the root, POSIX; a path naming a
 *    symlink inside the root is resolved, and walk results are reported where
 *    the files really are. Anything resolving outside the root is refused.
 *  - Walks follow ripgrep's defaults (walk.ts): ignore files, hidden names,
 *    .git skipped, symlinks never followed, `rg --sort path` order.
 *  - include/exclude globs (and code.glob's patterns) are ripgrep -g globs
 *    but only filter: unlike `rg -g` they never bring back ignored files.
 *  - A file holding a NUL byte anywhere is binary: grep and analyze skip it,
 *    read refuses it. UTF-16 files with a BOM are text, as in ripgrep.
 *  - grep reports one match per matching line; column is the 1-based code
 *    point index of the first match; text is cut at 2000 code points.
 *
 * Known differences between the grep engines (everything else is equal —
 * path, line, column, text, context — which the parity tests check):
 *  - Regex dialect: ripgrep uses Rust's regex, the built-in engine RE2
 *    (re2js: linear time, like Rust's) with Rust's meaning for \w \d \s
 *    (see regex.ts); (?i), (?P<n>), \pL, \A, \z, [[:alpha:]] and "." mean the
 *    same in both. Lookaround and backreferences are refused by both
 *    (INVALID_ARGUMENT naming the construct in the built-in engine). \b \B
 *    and \W \S inside a [class] stay ASCII in the built-in engine; other
 *    Rust-only syntax (nested classes, class set operations) is refused.
 *  - Invalid UTF-8: ripgrep matches raw bytes, the built-in engine the text
 *    with U+FFFD for bad bytes, so "." over a bad byte can differ.
 *  - Searching a sub-path, ripgrep applies the ignore files of directories
 *    above it with lower precedence than those inside it (the built-in engine
 *    ranks all by kind, then depth); only conflicting rules of different
 *    kinds across that boundary can differ. A .git *file* (submodule) may
 *    point ripgrep at an exclude file elsewhere; the built-in engine reads
 *    .git/info/exclude from .git directories only; ripgrep follows a
 *    symlinked ignore file, the built-in engine reads regular files only
 *    (ignore files steer the walk; their text never reaches an output).
 *  - filesSearched is reported by the built-in engine only.
 */
import { codeAnalyze, codeGlob, codeGrep, codeRead, defineHandler, type ToolHandler } from "@toolmesh/tools";
import { analyzeTool } from "./analyze.js";
import { fsToolError } from "./errors.js";
import { globTool } from "./glob.js";
import { grepTool } from "./grep.js";
import { readTool } from "./read.js";
import { resolveRipgrep } from "./ripgrep.js";
import { normalizeRoots } from "./roots.js";
import type { CodebaseRoot } from "./types.js";

export { parseRoots } from "./roots.js";
export type { CodebaseRoot, GrepMatch } from "./types.js";

export interface CodebaseToolsOptions {
  /** Directories the tools may read; at least one. The first is the default root. */
  roots: CodebaseRoot[];
  /** ripgrep binary; undefined: detect `rg` on PATH; null: never use it. */
  ripgrep?: string | null | undefined;
  /** Cap on code.read whatever the call asks for; default 16 MiB. */
  maxReadBytes?: number;
}

export interface CodebaseTools {
  "code.glob": ToolHandler;
  "code.grep": ToolHandler;
  "code.read": ToolHandler;
  "code.analyze": ToolHandler;
  /** The engine code.grep uses with engine "auto". */
  engine: "ripgrep" | "builtin";
}

export const DEFAULT_MAX_READ_BYTES = 16 * 1024 * 1024;

export function createCodebaseTools(options: CodebaseToolsOptions): CodebaseTools {
  const roots = normalizeRoots(options.roots);
  const ripgrep = resolveRipgrep(options.ripgrep);
  const hardCap = options.maxReadBytes ?? DEFAULT_MAX_READ_BYTES;
  if (!Number.isInteger(hardCap) || hardCap < 1) throw new Error(`maxReadBytes must be a positive integer, got ${hardCap}`);
  // A file that vanishes or turns unreadable mid-call surfaces as NOT_FOUND/PERMISSION_DENIED, not INTERNAL.
  const guard =
    (run: ToolHandler): ToolHandler =>
    (args, ctx) =>
      run(args, ctx).catch((err: unknown) => {
        throw fsToolError(err, "a file or directory of the root");
      });
  return {
    "code.glob": guard(defineHandler(codeGlob, (args, ctx) => globTool(roots, args, ctx.signal))),
    "code.grep": guard(defineHandler(codeGrep, (args, ctx) => grepTool(roots, ripgrep, args, ctx.signal))),
    "code.read": guard(defineHandler(codeRead, (args, ctx) => readTool(roots, args, hardCap, ctx.signal))),
    "code.analyze": guard(defineHandler(codeAnalyze, (args, ctx) => analyzeTool(roots, args, ctx.signal))),
    engine: ripgrep === undefined ? "builtin" : "ripgrep",
  };
}
