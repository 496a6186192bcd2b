import ignore, { type Ignore } from "ignore";
import type { Dirent } from "node:fs";
import { lstat, realpath } from "node:fs/promises";
import { join } from "node:path";
import { isInside } from "./roots.js";
import { openRegularFile } from "./text.js";
import type { CodebaseRoot } from "./types.js";

/**
 * The ignore files of one directory, kept apart by kind because ripgrep
 * ranks kinds before depth: any .rgignore match beats any .ignore match,
 * which beats .gitignore, which beats .git/info/exclude; within a kind the
 * deepest directory with a matching rule decides.
 */
export const IGNORE_KINDS = ["rgignore", "ignore", "gitignore", "exclude"] as const;
export type IgnoreKind = (typeof IGNORE_KINDS)[number];
const FILE_OF: Record<IgnoreKind, string> = {
  rgignore: ".rgignore",
  ignore: ".ignore",
  gitignore: ".gitignore",
  exclude: ".git/info/exclude",
};

export interface IgnoreScope {
  /** Directory relative to the root ("" for the root). */
  base: string;
  /** It holds a .git: .gitignore/exclude rules of directories above it do not apply below it. */
  hasGit: boolean;
  rules: Partial<Record<IgnoreKind, Ignore>>;
  texts: Partial<Record<IgnoreKind, string>>;
}

export type Verdict = "ignore" | "whitelist" | "none";

/** Ignore files are small; a bigger one is not an ignore file anyone meant. */
const MAX_IGNORE_FILE = 1024 * 1024;

async function readSmall(root: CodebaseRoot, rel: string): Promise<string | undefined> {
  const abs = join(root.dir, rel);
  // .git/info/exclude goes through two directories that could be symlinks; nothing outside the root is read.
  if (rel.includes("/") && !isInside(root.dir, await realpath(abs).catch(() => ""))) return undefined;
  const handle = await openRegularFile(abs).catch(() => undefined);
  if (!handle) return undefined;
  try {
    const buf = await handle.readFile();
    return buf.length <= MAX_IGNORE_FILE ? buf.toString("utf8") : undefined;
  } finally {
    await handle.close();
  }
}

/**
 * Loads the ignore files of `dirRel`. `entries` (the directory listing, when
 * the walk has it) saves a failed open per missing file.
 */
export async function loadScope(root: CodebaseRoot, dirRel: string, entries?: readonly Dirent[]): Promise<IgnoreScope | undefined> {
  const prefix = dirRel ? `${dirRel}/` : "";
  const has = async (name: string): Promise<boolean> =>
    entries ? entries.some((e) => e.name === name) : (await lstat(join(root.dir, prefix + name)).catch(() => undefined)) !== undefined;
  const scope: IgnoreScope = { base: dirRel, hasGit: await has(".git"), rules: {}, texts: {} };
  for (const kind of IGNORE_KINDS) {
    if (kind === "exclude" ? !scope.hasGit : !(await has(FILE_OF[kind]))) continue;
    const text = await readSmall(root, prefix + FILE_OF[kind]);
    if (text === undefined) continue;
    scope.texts[kind] = text;
    // Case-sensitive like git on Linux and ripgrep; the package defaults to ignoring case.
    scope.rules[kind] = ignore({ ignorecase: false }).add(text);
  }
  return scope.hasGit || Object.keys(scope.rules).length > 0 ? scope : undefined;
}

/** Ignore files of the directories from the root down to (not including) `dirRel`. */
export async function loadAncestorScopes(root: CodebaseRoot, dirRel: string): Promise<IgnoreScope[]> {
  const parts = dirRel ? dirRel.split("/") : [];
  const scopes: IgnoreScope[] = [];
  for (let depth = 0; depth < parts.length; depth++) {
    const scope = await loadScope(root, parts.slice(0, depth).join("/"));
    if (scope) scopes.push(scope);
  }
  return scopes;
}

interface RuleTester {
  test(path: string, checkUnignored: boolean, mode: string): { ignored: boolean; unignored: boolean };
}

/**
 * Tests one path against one file's rules without the package's parent
 * check: ripgrep matches each path on its own (a directory it was told to
 * search is searched even if a rule names it). ignore@7 exposes no public
 * call for that; fall back to test() if its internals ever change.
 */
function testPath(rules: Ignore, path: string): Verdict {
  const internal = (rules as unknown as { _rules?: RuleTester })._rules;
  const result = typeof internal?.test === "function" ? internal.test(path, true, "regex") : rules.test(path);
  return result.ignored ? "ignore" : result.unignored ? "whitelist" : "none";
}

/** ripgrep's verdict on an entry, given the scopes of its directory and the directories above, outermost first. */
export function ignoreVerdict(chain: readonly IgnoreScope[], rel: string, isDir: boolean): Verdict {
  const found: Partial<Record<IgnoreKind, Verdict>> = {};
  let sawGit = false;
  for (let i = chain.length - 1; i >= 0; i--) {
    const scope = chain[i]!;
    const local = (scope.base ? rel.slice(scope.base.length + 1) : rel) + (isDir ? "/" : "");
    for (const kind of IGNORE_KINDS) {
      const rules = scope.rules[kind];
      if (!rules || found[kind] || (sawGit && (kind === "gitignore" || kind === "exclude"))) continue;
      const verdict = testPath(rules, local);
      if (verdict !== "none") found[kind] = verdict;
    }
    sawGit ||= scope.hasGit;
  }
  return found.rgignore ?? found.ignore ?? found.gitignore ?? found.exclude ?? "none";
}
