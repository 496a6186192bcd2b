import { ErrorCode, ToolError } from "@toolmesh/core";
import { checkAborted } from "./errors.js";
import { grepBuiltin } from "./grep-builtin.js";
import { grepRipgrep } from "./grep-ripgrep.js";
import { comparePaths } from "./paths.js";
import { searchScope } from "./search-scope.js";
import type { CodebaseRoot, GrepArgs, GrepOutput } from "./types.js";

/**
 * code.grep: ripgrep when it is installed (or asked for), the built-in
 * engine otherwise; both return the same matches for the same tree.
 */
export async function grepTool(
  roots: readonly CodebaseRoot[],
  ripgrep: string | undefined,
  args: GrepArgs,
  signal: AbortSignal,
): Promise<GrepOutput> {
  checkAborted(signal);
  if (/[\n\0]/.test(args.pattern)) {
    throw new ToolError(ErrorCode.INVALID_ARGUMENT, "pattern must be a single line without NUL bytes: files are searched line by line");
  }
  if (args.engine === "ripgrep" && ripgrep === undefined) {
    throw new ToolError(
      ErrorCode.FAILED_PRECONDITION,
      'engine "ripgrep" was asked for but ripgrep is not available to this service; use engine "auto" or "builtin"',
    );
  }
  const { root, start, filter } = await searchScope(roots, args, args.include, args.exclude);
  const job = { root, start, args, filter };
  const useRipgrep = args.engine !== "builtin" && ripgrep !== undefined;
  const outcome = useRipgrep ? await grepRipgrep(ripgrep, job, signal) : await grepBuiltin(job, signal);
  // Both engines already produce this order; sorting again keeps the contract independent of them.
  outcome.matches.sort((a, b) => comparePaths(a.path, b.path) || a.line - b.line);
  return {
    root: root.name,
    engine: useRipgrep ? "ripgrep" : "builtin",
    matches: outcome.matches,
    count: outcome.matches.length,
    truncated: outcome.truncated,
    ...(outcome.filesSearched !== undefined ? { filesSearched: outcome.filesSearched } : {}),
  };
}
