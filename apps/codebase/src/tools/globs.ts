import { ErrorCode, ToolError } from "@toolmesh/core";
import { posix } from "node:path";
import picomatch from "picomatch";

/**
 * Globs as ripgrep's -g reads them (gitignore-style, globset syntax):
 * a glob without "/" matches the name at any depth ("*.ts"); one with "/"
 * is anchored at the search base ("src/**\/*.ts"); a trailing "/" matches
 * directories only. `*` and `?` never cross "/", `**` does, `{a,b}`,
 * `[a-z]`, `[!a]` and `\` escapes work, and a leading dot needs no match.
 */
export interface CompiledGlob {
  source: string;
  dirOnly: boolean;
  /** The glob anchored at the root instead of the search base, for ripgrep (which runs in the root). */
  rootGlob: string;
  /** Whether it can be an rg file type: matched against the name only. */
  nameOnly: boolean;
  matches(rel: string, isDir: boolean): boolean;
}

const PICO_OPTIONS = { dot: true, noextglob: true, strictBrackets: true, windows: false } as const;
/** Characters picomatch gives a meaning that globset does not (regex groups, extglobs, negation). */
const PICO_ONLY_SPECIAL = new Set(["(", ")", "|", "+", "@", "!", "$", "^"]);

/** Index of the "]" closing the bracket expression at `open` ("[]a]" and "[!]a]" hold a literal "]"), or -1. */
function bracketEnd(glob: string, open: number): number {
  let j = open + 1;
  if (glob[j] === "!" || glob[j] === "^") j++;
  if (glob[j] === "]") j++;
  for (; j < glob.length; j++) {
    if (glob[j] === "\\") j++;
    else if (glob[j] === "]") return j;
  }
  return -1;
}

/** Rewrites a globset glob into picomatch syntax with the same meaning. */
function toPicomatch(glob: string): string {
  let out = "";
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i]!;
    if (c === "\\" && i + 1 < glob.length) {
      out += c + glob[++i];
    } else if (c === "[") {
      const end = bracketEnd(glob, i);
      if (end < 0) throw new Error(`unclosed "[" in "${glob}"`);
      // picomatch mishandles "[!a]" and a leading "]"; "[^a]" and "\\]" mean the same to both.
      const negated = glob[i + 1] === "!" || glob[i + 1] === "^";
      const inner = glob.slice(i + (negated ? 2 : 1), end);
      out += `[${negated ? "^" : ""}${inner.startsWith("]") ? `\\${inner}` : inner}]`;
      i = end;
    } else {
      out += PICO_ONLY_SPECIAL.has(c) ? `\\${c}` : c;
    }
  }
  return out;
}

/** Escapes a literal path so it can prefix a glob. */
export function escapeGlobLiteral(path: string): string {
  return path.replace(/[\\*?[\]{}!]/g, "\\$&");
}

export function compileGlob(glob: string, baseDir: string, role: "include" | "exclude"): CompiledGlob {
  const bad = (why: string): ToolError => new ToolError(ErrorCode.INVALID_ARGUMENT, `${role} glob "${glob}": ${why}`);
  if (glob.startsWith("!"))
    throw bad(
      role === "include"
        ? 'a leading "!" is not supported; put the glob in exclude instead'
        : 'give the glob without "!"; exclude globs exclude already',
    );
  const dirOnly = glob.length > 1 && glob.endsWith("/");
  if (dirOnly && role === "include")
    throw bad(`a trailing "/" matches directories only, never a file; use "${glob}**" to include what is inside`);
  const body = dirOnly ? glob.slice(0, -1) : glob;
  const nameOnly = !body.includes("/");
  const relative = body.replace(/^\/+/, "");
  // For picomatch: the glob over root-relative paths. For ripgrep: the same, with a leading "/" so it stays anchored.
  const pathGlob = nameOnly ? body : baseDir ? `${escapeGlobLiteral(baseDir)}/${relative}` : relative;
  const rootGlob = nameOnly ? body : `/${pathGlob}`;
  let test: (s: string) => boolean;
  try {
    test = picomatch(toPicomatch(pathGlob), PICO_OPTIONS);
  } catch (err) {
    throw bad(err instanceof Error ? err.message : String(err));
  }
  return {
    source: glob,
    dirOnly,
    rootGlob: rootGlob + (dirOnly ? "/" : ""),
    nameOnly,
    matches: (rel, isDir) => (!dirOnly || isDir) && test(nameOnly ? posix.basename(rel) : rel),
  };
}

/** include (empty = every file) and exclude globs, relative to a search base. */
export interface PathFilter {
  include: readonly CompiledGlob[];
  exclude: readonly CompiledGlob[];
  /** A walked file or directory cut by an exclude glob (directories are not entered). */
  excluded(rel: string, isDir: boolean): boolean;
  /** A file passes the include globs. */
  included(rel: string): boolean;
  /** A file reported from elsewhere (ripgrep): included, and neither it nor a directory between the base and it excluded. */
  accepts(rel: string): boolean;
}

export function pathFilter(include: readonly string[], exclude: readonly string[], baseDir: string): PathFilter {
  const inc = include.map((g) => compileGlob(g, baseDir, "include"));
  const exc = exclude.map((g) => compileGlob(g, baseDir, "exclude"));
  const excluded = (rel: string, isDir: boolean): boolean => exc.some((g) => g.matches(rel, isDir));
  const included = (rel: string): boolean => inc.length === 0 || inc.some((g) => g.matches(rel, false));
  return {
    include: inc,
    exclude: exc,
    excluded,
    included,
    accepts(rel) {
      if (!included(rel) || excluded(rel, false)) return false;
      const start = baseDir ? baseDir.length + 1 : 0;
      for (let i = rel.indexOf("/", start); i >= 0; i = rel.indexOf("/", i + 1)) {
        if (excluded(rel.slice(0, i), true)) return false;
      }
      return true;
    },
  };
}
