import { ErrorCode, ToolError } from "@toolmesh/core";
import { pathFilter } from "./globs.js";
import { parentRel } from "./paths.js";
import { pickRoot, resolveInRoot } from "./roots.js";
import type { CodebaseRoot } from "./types.js";

/**
 * Where a walking tool (glob, grep, analyze) searches: the root, the start
 * path resolved inside it (escapes refused), and the include/exclude filter
 * anchored at the start directory.
 */
export async function searchScope(
  roots: readonly CodebaseRoot[],
  args: { root?: string | undefined; path: string },
  include: readonly string[],
  exclude: readonly string[],
) {
  const root = pickRoot(roots, args.root);
  const start = await resolveInRoot(root, args.path);
  if (start.kind === "other") throw new ToolError(ErrorCode.INVALID_ARGUMENT, `"${args.path}" is neither a file nor a directory`);
  const filter = pathFilter(include, exclude, start.kind === "dir" ? start.rel : parentRel(start.rel));
  return { root, start, filter };
}
