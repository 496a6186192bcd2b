import { ErrorCode, ToolError } from "@toolmesh/core";
import { readFile } from "node:fs/promises";
import { pathFilter } from "./globs.js";
import { clip, escapeRegex, type GrepArgs, type GrepMatch, type GrepResult } from "./grep-types.js";
import type { CodebaseRoot } from "./roots.js";
import { checkAborted, walkFiles, type WalkedFile } from "./walk.js";

/** Files read at once: enough to overlap I/O, few enough to bound memory. */
const READ_AHEAD = 16;
/** Bytes looked at for a NUL to call a file binary (ripgrep looks at what it reads). */
const BINARY_SNIFF_BYTES = 8192;

export function compilePattern(args: GrepArgs): RegExp {
  try {
    return new RegExp(args.literal ? escapeRegex(args.pattern) : args.pattern, args.ignoreCase ? "i" : "");
  } catch (err) {
    throw new ToolError(ErrorCode.INVALID_ARGUMENT, `pattern is not a valid regular expression: ${err instanceof Error ? err.message : String(err)}`);
  }
}

async function readLines(file: WalkedFile): Promise<string[] | undefined> {
  const buf = await readFile(file.abs).catch(() => undefined);
  if (!buf || buf.subarray(0, BINARY_SNIFF_BYTES).includes(0)) return undefined;
  const lines = buf.toString("utf8").split("\n");
  if (lines.at(-1) === "") lines.pop();
  return lines.map((line) => (line.endsWith("\r") ? line.slice(0, -1) : line));
}

/**
 * The built-in engine: walks like ripgrep, reads files a few at a time and
 * reports matching lines in walk order, so its results (and where it cuts at
 * maxResults) are the same as `rg --sort path`.
 */
export async function grepBuiltin(root: CodebaseRoot, startRel: string, args: GrepArgs, signal: AbortSignal): Promise<GrepResult> {
  const regex = compilePattern(args);
  const keep = pathFilter(args.include, args.exclude);
  const files: WalkedFile[] = [];
  for await (const file of walkFiles(root, startRel, { gitignore: args.gitignore, hidden: args.hidden, signal })) {
    if (keep(file.rel)) files.push(file);
  }
  const matches: GrepMatch[] = [];
  const pending: Array<Promise<string[] | undefined>> = files.slice(0, READ_AHEAD).map(readLines);
  for (let i = 0; i < files.length; i++) {
    checkAborted(signal);
    const lines = await pending[i]!;
    if (i + READ_AHEAD < files.length) pending.push(readLines(files[i + READ_AHEAD]!));
    if (!lines) continue;
    for (let n = 0; n < lines.length; n++) {
      const found = regex.exec(lines[n]!);
      if (!found) continue;
      if (matches.length >= args.maxResults) return { matches, truncated: true };
      const match: GrepMatch = { path: files[i]!.rel, line: n + 1, column: found.index + 1, text: clip(lines[n]!) };
      if (args.contextLines > 0) {
        match.before = lines.slice(Math.max(0, n - args.contextLines), n).map(clip);
        match.after = lines.slice(n + 1, n + 1 + args.contextLines).map(clip);
      }
      matches.push(match);
    }
  }
  return { matches, truncated: false };
}
