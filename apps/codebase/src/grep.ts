import { ErrorCode, ToolError } from "@toolmesh/core";
import { grepBuiltin } from "./grep-builtin.js";
import { grepRipgrep } from "./grep-ripgrep.js";
import type { GrepArgs } from "./grep-types.js";
import { pickRoot, resolveInRoot, type CodebaseRoot } from "./roots.js";

/** code.grep: ripgrep when available (or asked for), the built-in engine otherwise. */
export async function grepFiles(
  roots: readonly CodebaseRoot[],
  ripgrep: string | undefined,
  args: GrepArgs,
  signal: AbortSignal,
): Promise<Record<string, unknown>> {
  const root = pickRoot(roots, args.root);
  const start = await resolveInRoot(root, args.path);
  if (args.engine === "ripgrep" && !ripgrep) {
    throw new ToolError(ErrorCode.FAILED_PRECONDITION, "engine \"ripgrep\" was asked for but ripgrep is not installed here; use engine \"auto\" or \"builtin\"");
  }
  const useRipgrep = args.engine !== "builtin" && ripgrep !== undefined;
  const result = useRipgrep ? await grepRipgrep(ripgrep, root, start.rel, args, signal) : await grepBuiltin(root, start.rel, args, signal);
  return { root: root.name, engine: useRipgrep ? "ripgrep" : "builtin", matches: result.matches, count: result.matches.length, truncated: result.truncated };
}
