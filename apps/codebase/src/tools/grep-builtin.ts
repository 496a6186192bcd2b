import type { SafeRegex } from "@toolmesh/core";
import { mapOrdered } from "./concurrency.js";
import { checkAborted } from "./errors.js";
import type { GrepJob } from "./grep-job.js";
import { compileLineRegex } from "./regex.js";
import { codePointLength, displayLine, forEachLine, openRegularFile } from "./text.js";
import type { GrepMatch, GrepOutcome } from "./types.js";
import { walkFiles } from "./walk.js";

/** Files searched at once: enough to overlap I/O, few enough to bound memory. */
const PARALLEL_FILES = 16;

type LineMatch = Omit<GrepMatch, "path">;

/**
 * Searches one file. Returns "binary" if it holds a NUL anywhere (ripgrep
 * drops such files; their matches are discarded the same way there), or
 * undefined if it could not be opened. At most `bound` matches are kept,
 * but the file is read to the end: a late NUL still makes it binary.
 */
async function searchFile(
  abs: string,
  regex: SafeRegex,
  context: number,
  bound: number,
  signal: AbortSignal,
): Promise<LineMatch[] | "binary" | undefined> {
  const handle = await openRegularFile(abs).catch(() => undefined);
  if (!handle) return undefined;
  const matches: LineMatch[] = [];
  const recent: string[] = [];
  let lineNo = 0;
  let binary = false;
  let open = 0; // first kept match still collecting after-context
  try {
    await forEachLine(
      handle,
      (raw) => {
        lineNo += 1;
        if (raw.includes("\0")) {
          binary = true;
          return false;
        }
        if (context > 0) {
          for (let k = open; k < matches.length; k++) matches[k]!.after!.push(displayLine(raw));
          while (open < matches.length && matches[open]!.after!.length >= context) open++;
        }
        if (matches.length < bound) {
          const found = regex.exec(raw);
          if (found) {
            const match: LineMatch = { line: lineNo, column: codePointLength(raw.slice(0, found.index)) + 1, text: displayLine(raw) };
            if (context > 0) {
              match.before = recent.slice();
              match.after = [];
            }
            matches.push(match);
          }
        }
        if (context > 0) {
          recent.push(displayLine(raw));
          if (recent.length > context) recent.shift();
        }
        return true;
      },
      signal,
    );
  } finally {
    await handle.close();
  }
  return binary ? "binary" : matches;
}

/**
 * The built-in engine: the same walk as ripgrep, files read a few at a time
 * but taken in walk order, so results and the maxResults cut equal `rg --sort path`.
 */
export async function grepBuiltin(job: GrepJob, signal: AbortSignal): Promise<GrepOutcome> {
  const { args } = job;
  const regex = compileLineRegex(args.pattern, args.literal, args.ignoreCase);
  const matches: GrepMatch[] = [];
  let filesSearched = 0;
  const walk = walkFiles({ root: job.root, start: job.start, gitignore: args.gitignore, hidden: args.hidden, filter: job.filter, signal });
  // One more match than the cap tells that the cap cut something.
  const search = async (file: { rel: string; abs: string }) => ({
    rel: file.rel,
    hits: await searchFile(file.abs, regex, args.contextLines, args.maxResults + 1 - matches.length, signal),
  });
  for await (const { rel, hits } of mapOrdered(walk, PARALLEL_FILES, search)) {
    checkAborted(signal);
    if (hits === undefined || hits === "binary") continue;
    filesSearched += 1;
    for (const hit of hits) {
      if (matches.length >= args.maxResults) return { matches, truncated: true, filesSearched };
      matches.push({ path: rel, ...hit });
    }
  }
  return { matches, truncated: false, filesSearched };
}
