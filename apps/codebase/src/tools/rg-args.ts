import { lstat, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { escapeGlobLiteral, type CompiledGlob } from "./globs.js";
import type { GrepJob } from "./grep-job.js";
import { loadAncestorScopes, type IgnoreKind, type IgnoreScope } from "./ignore-rules.js";

export interface RipgrepInvocation {
  argv: string[];
  /** Removes the temporary ignore file, if one was written. */
  cleanup(): Promise<void>;
}

const TYPE_NAME = "toolmeshinclude";

/**
 * Include globs ripgrep can apply itself, as a file type (`-t`), which
 * filters after ignore rules instead of overriding them as `-g` would. A
 * type match also skips ripgrep's hidden check, so types are used only when
 * hidden files are searched anyway or no glob can match a dot name. Either
 * way the caller re-checks every reported path, so this only saves work.
 */
function typeGlobs(include: readonly CompiledGlob[], hidden: boolean): string[] {
  const usable = (g: CompiledGlob): boolean => g.nameOnly && !g.source.includes(":") && (hidden || !/^[*?[{\\.]/.test(g.source));
  return include.length > 0 && include.every(usable) ? include.map((g) => g.source) : [];
}

/** One ignore-file line from directory `dir`, rewritten to mean the same relative to the root. */
export function rebaseIgnoreLine(line: string, dir: string): string | undefined {
  const text = /\\ $/.test(line) ? line : line.trimEnd();
  if (text === "" || text.startsWith("#")) return undefined;
  if (!dir) return text;
  const negated = text.startsWith("!");
  let body = negated ? text.slice(1) : text;
  const dirOnly = body.endsWith("/");
  if (dirOnly) body = body.slice(0, -1);
  const prefix = escapeGlobLiteral(dir);
  // gitignore: a "/" at the start or in the middle anchors a rule to its directory; otherwise it matches at any depth below.
  const rebased = body.startsWith("/") ? `/${prefix}${body}` : body.includes("/") ? `/${prefix}/${body}` : `/${prefix}/**/${body}`;
  return (negated ? "!" : "") + rebased + (dirOnly ? "/" : "");
}

/**
 * With --no-ignore-parent (nothing above the root may be read) ripgrep skips
 * the ignore files of directories between the root and a sub-directory it
 * searches; they go in one --ignore-file instead, rebased to the root (rg
 * runs in the root; such rules match relative to its working directory).
 * Ordered by kind, then depth: in one file the last matching rule wins.
 */
export function ancestorIgnoreText(ancestors: readonly IgnoreScope[], startHasGit: boolean): string {
  // The deepest directory holding a .git (the start counts as deepest): git rules above it do not apply.
  let lastGit = startHasGit ? ancestors.length : -1;
  for (let i = 0; i < ancestors.length && !startHasGit; i++) if (ancestors[i]!.hasGit) lastGit = i;
  const lines: string[] = [];
  for (const kind of ["exclude", "gitignore", "ignore", "rgignore"] as IgnoreKind[]) {
    ancestors.forEach((scope, i) => {
      if ((kind === "gitignore" || kind === "exclude") && i < lastGit) return;
      for (const line of scope.texts[kind]?.split(/\r?\n/) ?? []) {
        const rebased = rebaseIgnoreLine(line, scope.base);
        if (rebased !== undefined) lines.push(rebased);
      }
    });
  }
  return lines.length ? `${lines.join("\n")}\n` : "";
}

/**
 * The `rg --json` command line for a job: deterministic order, no config
 * file, no global or parent ignore files, ignore files honoured with or
 * without a git repository (like the built-in walker), .git never searched,
 * symlinks never followed (no --follow).
 */
export async function ripgrepInvocation(job: GrepJob): Promise<RipgrepInvocation> {
  const { args, start, filter } = job;
  // --no-mmap: with a memory map (rg's choice for a single file) ripgrep looks for NUL bytes at the start only.
  const argv = ["--json", "--sort", "path", "--no-config", "--no-mmap", "--no-require-git", "--no-ignore-global", "--no-ignore-parent"];
  argv.push(args.ignoreCase ? "--ignore-case" : "--case-sensitive");
  if (args.literal) argv.push("--fixed-strings");
  if (args.hidden) argv.push("--hidden");
  if (!args.gitignore) argv.push("--no-ignore");
  if (args.contextLines > 0) argv.push("--context", String(args.contextLines));
  for (const glob of filter.exclude) argv.push("--glob", `!${glob.rootGlob}`);
  argv.push("--glob", "!.git");
  const types = typeGlobs(filter.include, args.hidden);
  for (const glob of types) argv.push("--type-add", `${TYPE_NAME}:${glob}`);
  if (types.length) argv.push("--type", TYPE_NAME);

  let tempDir: string | undefined;
  if (args.gitignore && start.kind === "dir" && start.rel !== "") {
    const startHasGit = (await lstat(join(start.abs, ".git")).catch(() => undefined)) !== undefined;
    const text = ancestorIgnoreText(await loadAncestorScopes(job.root, start.rel), startHasGit);
    if (text) {
      tempDir = await mkdtemp(join(tmpdir(), "toolmesh-rg-"));
      await writeFile(join(tempDir, "ignore"), text);
      argv.push("--ignore-file", join(tempDir, "ignore"));
    }
  }
  argv.push("--regexp", args.pattern, "--", start.rel || ".");
  return { argv, cleanup: async () => void (tempDir && (await rm(tempDir, { recursive: true, force: true }))) };
}
