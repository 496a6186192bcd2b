import type { Dirent } from "node:fs";
import { readdir, realpath } from "node:fs/promises";
import { join } from "node:path";
import { checkAborted } from "./errors.js";
import type { PathFilter } from "./globs.js";
import { ignoreVerdict, loadAncestorScopes, loadScope, type IgnoreScope } from "./ignore-rules.js";
import { compareNames, joinRel } from "./paths.js";
import type { RootPath } from "./roots.js";
import type { CodebaseRoot } from "./types.js";

export interface WalkOptions {
  root: CodebaseRoot;
  /** Where to start: a directory (walked) or a file (yielded if the filter takes it). */
  start: RootPath;
  gitignore: boolean;
  hidden: boolean;
  filter: PathFilter;
  signal: AbortSignal;
}

export interface WalkedFile {
  /** Relative to the root, POSIX separators. */
  rel: string;
  abs: string;
}

/**
 * The files under a start path with ripgrep's rules, in `rg --sort path`
 * order: exclude globs first (they prune directories), then ignore files
 * (.rgignore, .ignore, .gitignore, .git/info/exclude; those of directories
 * above the start too), then hidden names unless an ignore rule whitelisted
 * them, then include globs for files. `.git` is always skipped. Symlinks
 * are never followed (ripgrep's default), so a walk cannot leave the root or
 * loop; the start itself is never filtered except by the include/exclude globs.
 */
export async function* walkFiles(options: WalkOptions): AsyncGenerator<WalkedFile> {
  const { start, filter } = options;
  if (start.kind === "file") {
    if (filter.accepts(start.rel)) yield { rel: start.rel, abs: start.abs };
    return;
  }
  const ancestors = options.gitignore ? await loadAncestorScopes(options.root, start.rel) : [];
  yield* walkDir(options, start.rel, ancestors);
}

async function* walkDir(options: WalkOptions, dirRel: string, scopes: IgnoreScope[]): AsyncGenerator<WalkedFile> {
  const { root, filter, signal } = options;
  checkAborted(signal);
  const abs = dirRel ? join(root.dir, dirRel) : root.dir;
  // Every component was a real directory when listed; if one was swapped for a symlink since, stop here.
  if ((await realpath(abs).catch(() => undefined)) !== abs) return;
  let entries: Dirent[];
  try {
    entries = await readdir(abs, { withFileTypes: true });
  } catch {
    return; // unreadable directory: skipped, as ripgrep does
  }
  entries.sort((a, b) => compareNames(a.name, b.name));
  const scope = options.gitignore ? await loadScope(root, dirRel, entries) : undefined;
  const chain = scope ? [...scopes, scope] : scopes;
  for (const entry of entries) {
    if (entry.name === ".git") continue;
    const isDir = entry.isDirectory();
    // Symlinks, sockets, FIFOs and devices are skipped; only real files and directories are walked.
    if (!isDir && !entry.isFile()) continue;
    const rel = joinRel(dirRel, entry.name);
    if (filter.excluded(rel, isDir)) continue;
    const verdict = options.gitignore ? ignoreVerdict(chain, rel, isDir) : "none";
    if (verdict === "ignore") continue;
    if (verdict === "none" && !options.hidden && entry.name.startsWith(".")) continue;
    if (isDir) yield* walkDir(options, rel, chain);
    else if (filter.included(rel)) yield { rel, abs: join(root.dir, rel) };
  }
}
