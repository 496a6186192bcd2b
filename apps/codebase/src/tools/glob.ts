import { ErrorCode, ToolError } from "@toolmesh/core";
import { lstat } from "node:fs/promises";
import { mapOrdered } from "./concurrency.js";
import { checkAborted } from "./errors.js";
import { pathFilter } from "./globs.js";
import { parentRel } from "./paths.js";
import { pickRoot, resolveInRoot } from "./roots.js";
import type { CodebaseRoot, GlobArgs } from "./types.js";
import { walkFiles } from "./walk.js";

/**
 * code.glob: files under the search path that match a pattern and no
 * exclude, in path order. Patterns filter what the walk yields; unlike
 * `rg -g`, they never bring back ignored or hidden files.
 */
export async function globTool(roots: readonly CodebaseRoot[], args: GlobArgs, signal: AbortSignal): Promise<Record<string, unknown>> {
  checkAborted(signal);
  const root = pickRoot(roots, args.root);
  const start = await resolveInRoot(root, args.path);
  if (start.kind === "other") throw new ToolError(ErrorCode.INVALID_ARGUMENT, `"${args.path}" is neither a file nor a directory`);
  const filter = pathFilter(args.patterns, args.exclude, start.kind === "dir" ? start.rel : parentRel(start.rel));
  const walk = walkFiles({ root, start, gitignore: args.gitignore, hidden: args.hidden, filter, signal });
  const files: Array<{ path: string; size: number }> = [];
  let truncated = false;
  // lstat: the walk yields no symlinks, and the size must never be a link target's.
  const sized = async (file: { rel: string; abs: string }) => ({ path: file.rel, size: (await lstat(file.abs).catch(() => undefined))?.size ?? 0 });
  for await (const file of mapOrdered(walk, 32, sized)) {
    if (files.length >= args.maxResults) {
      truncated = true;
      break;
    }
    files.push(file);
  }
  checkAborted(signal);
  return { root: root.name, files, count: files.length, truncated };
}
