import { ErrorCode, ToolError } from "@toolmesh/core";
import ignore, { type Ignore } from "ignore";
import type { Dirent } from "node:fs";
import { readFile, readdir, stat } from "node:fs/promises";
import { join, posix } from "node:path";
import type { CodebaseRoot } from "./roots.js";

export interface WalkOptions {
  gitignore: boolean;
  hidden: boolean;
  signal: AbortSignal;
}

export interface WalkedFile {
  /** Relative to the root, POSIX separators. */
  rel: string;
  abs: string;
}

interface IgnoreScope {
  /** Directory of the ignore files, relative to the root ("" for the root). */
  base: string;
  rules: Ignore;
}

const IGNORE_FILES = [".gitignore", ".ignore"];

async function loadScope(root: CodebaseRoot, relDir: string, includeGitExclude: boolean): Promise<IgnoreScope | undefined> {
  const texts: string[] = [];
  const files = includeGitExclude ? [".git/info/exclude", ...IGNORE_FILES] : IGNORE_FILES;
  for (const name of files) {
    const text = await readFile(join(root.dir, relDir, name), "utf8").catch(() => undefined);
    if (text) texts.push(text);
  }
  if (texts.length === 0) return undefined;
  // add() takes an array as one pattern per element; whole files go in one by one.
  const rules = ignore();
  for (const text of texts) rules.add(text);
  return { base: relDir, rules };
}

function ignoredBy(scopes: readonly IgnoreScope[], rel: string, isDir: boolean): boolean {
  // The deepest scope wins where it has an opinion (a nested !negation
  // re-includes); ignore() answers per scope, so check deepest first.
  for (let i = scopes.length - 1; i >= 0; i--) {
    const scope = scopes[i]!;
    const local = scope.base ? posix.relative(scope.base, rel) : rel;
    const path = isDir ? `${local}/` : local;
    const result = scope.rules.test(path);
    if (result.ignored) return true;
    if (result.unignored) return false;
  }
  return false;
}

export function checkAborted(signal: AbortSignal): void {
  if (signal.aborted) {
    throw signal.reason instanceof ToolError ? signal.reason : new ToolError(ErrorCode.CANCELLED, "the call was cancelled");
  }
}

/** Byte-wise name order per directory: the order `rg --sort path` walks in. */
function byName(a: Dirent, b: Dirent): number {
  return a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
}

/**
 * The files under `startRel` (a file or directory relative to the root), in
 * ripgrep's order and with its defaults: .gitignore/.ignore/.git/info/exclude
 * respected (nested files too, and those of parent directories within the
 * root), hidden entries and .git skipped, symlinks not followed, so nothing
 * outside the root is ever reached.
 */
export async function* walkFiles(root: CodebaseRoot, startRel: string, options: WalkOptions): AsyncGenerator<WalkedFile> {
  const start = startRel === "." ? "" : startRel;
  const startStat = await stat(join(root.dir, start));
  if (startStat.isFile()) {
    yield { rel: start, abs: join(root.dir, start) };
    return;
  }
  const scopes: IgnoreScope[] = [];
  if (options.gitignore) {
    // Ignore files of the root and of every directory down to the start.
    const parts = start ? start.split("/") : [];
    for (let i = 0; i <= parts.length; i++) {
      const scope = await loadScope(root, parts.slice(0, i).join("/"), i === 0);
      if (scope) scopes.push(scope);
    }
  }
  yield* walkDir(root, start, scopes, options);
}

async function* walkDir(root: CodebaseRoot, relDir: string, scopes: IgnoreScope[], options: WalkOptions): AsyncGenerator<WalkedFile> {
  checkAborted(options.signal);
  let entries: Dirent[];
  try {
    entries = await readdir(join(root.dir, relDir), { withFileTypes: true });
  } catch {
    return; // unreadable directory: skipped, as ripgrep does
  }
  entries.sort(byName);
  for (const entry of entries) {
    if (entry.name === ".git") continue;
    if (!options.hidden && entry.name.startsWith(".")) continue;
    const rel = relDir ? `${relDir}/${entry.name}` : entry.name;
    const isDir = entry.isDirectory();
    if (!isDir && !entry.isFile()) continue; // symlinks, sockets, devices
    if (options.gitignore && ignoredBy(scopes, rel, isDir)) continue;
    if (isDir) {
      const scope = options.gitignore ? await loadScope(root, rel, false) : undefined;
      yield* walkDir(root, rel, scope ? [...scopes, scope] : scopes, options);
    } else {
      yield { rel, abs: join(root.dir, rel) };
    }
  }
}
