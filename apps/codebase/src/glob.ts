import type { ToolArgs, codeGlob } from "@toolmesh/tools";
import { stat } from "node:fs/promises";
import { globMatcher } from "./globs.js";
import { pickRoot, resolveInRoot, type CodebaseRoot } from "./roots.js";
import { walkFiles } from "./walk.js";

type GlobArgs = ToolArgs<typeof codeGlob>;

/** code.glob: files whose path relative to the root matches a pattern. */
export async function globFiles(roots: readonly CodebaseRoot[], args: GlobArgs, signal: AbortSignal): Promise<Record<string, unknown>> {
  const root = pickRoot(roots, args.root);
  const start = await resolveInRoot(root, args.path);
  const included = globMatcher(args.patterns);
  const excluded = globMatcher(args.exclude);
  const files: Array<{ path: string; size: number }> = [];
  let truncated = false;
  for await (const file of walkFiles(root, start.rel, { gitignore: args.gitignore, hidden: args.hidden, signal })) {
    if (!included(file.rel) || excluded(file.rel)) continue;
    if (files.length >= args.maxResults) {
      truncated = true;
      break;
    }
    files.push({ path: file.rel, size: (await stat(file.abs).catch(() => undefined))?.size ?? 0 });
  }
  return { root: root.name, files, count: files.length, truncated };
}
