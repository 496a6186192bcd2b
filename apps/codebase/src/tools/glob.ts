import { lstat } from "node:fs/promises";
import { mapOrdered } from "./concurrency.js";
import { checkAborted } from "./errors.js";
import { searchScope } from "./search-scope.js";
import type { CodebaseRoot, GlobArgs, GlobOutput } from "./types.js";
import { walkFiles } from "./walk.js";

/**
 * code.glob: files under the search path that match a pattern and no
 * exclude, in path order. Patterns filter what the walk yields; unlike
 * `rg -g`, they never bring back ignored or hidden files.
 */
export async function globTool(roots: readonly CodebaseRoot[], args: GlobArgs, signal: AbortSignal): Promise<GlobOutput> {
  checkAborted(signal);
  const { root, start, filter } = await searchScope(roots, args, args.patterns, args.exclude);
  const walk = walkFiles({ root, start, gitignore: args.gitignore, hidden: args.hidden, filter, signal });
  const files: Array<{ path: string; size: number }> = [];
  let truncated = false;
  // lstat: the walk yields no symlinks, and the size must never be a link target's.
  const sized = async (file: { rel: string; abs: string }) => ({
    path: file.rel,
    size: (await lstat(file.abs).catch(() => undefined))?.size ?? 0,
  });
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
