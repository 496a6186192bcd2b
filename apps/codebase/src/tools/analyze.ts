import { mapOrdered } from "./concurrency.js";
import { checkAborted } from "./errors.js";
import { isScriptFile, languageOf } from "./languages.js";
import { searchScope } from "./search-scope.js";
import { lineSymbols } from "./symbols-lines.js";
import { loadTypeScript, scriptSymbols, type CodeSymbol } from "./symbols-ts.js";
import { decodeText, forEachLine, openRegularFile } from "./text.js";
import type { AnalyzeArgs, AnalyzeOutput, CodebaseRoot } from "./types.js";
import { walkFiles } from "./walk.js";

/** Files above this are counted (streamed) but not parsed for symbols. */
const MAX_PARSE_BYTES = 4 * 1024 * 1024;

interface FileReport {
  path: string;
  language: string;
  lines: number;
  bytes: number;
  symbols: CodeSymbol[];
  symbolsSkipped?: true;
}

/** Lines as ripgrep numbers them: a last line without "\n" counts, an empty file has none. */
function countLines(text: string): number {
  let n = 0;
  for (let i = text.indexOf("\n"); i >= 0; i = text.indexOf("\n", i + 1)) n++;
  return text.length > 0 && !text.endsWith("\n") ? n + 1 : n;
}

async function symbolsOf(path: string, language: string, text: string): Promise<CodeSymbol[]> {
  return isScriptFile(path) ? scriptSymbols(await loadTypeScript(), path, text) : lineSymbols(language, text);
}

/** One file's report; "binary" for a file with a NUL byte (as grep decides), undefined if unreadable. */
async function analyzeFile(rel: string, abs: string, signal: AbortSignal): Promise<FileReport | "binary" | undefined> {
  const handle = await openRegularFile(abs).catch(() => undefined);
  if (!handle) return undefined;
  try {
    const bytes = (await handle.stat()).size;
    const language = languageOf(rel);
    if (bytes <= MAX_PARSE_BYTES) {
      const text = decodeText(await handle.readFile());
      if (text.includes("\0")) return "binary";
      return { path: rel, language, lines: countLines(text), bytes, symbols: await symbolsOf(rel, language, text) };
    }
    let lines = 0;
    let binary = false;
    await forEachLine(
      handle,
      (line) => {
        if (line.includes("\0")) binary = true;
        else lines++;
        return !binary;
      },
      signal,
    );
    return binary ? "binary" : { path: rel, language, lines, bytes, symbols: [], symbolsSkipped: true };
  } finally {
    await handle.close();
  }
}

/**
 * code.analyze: per-file language, line count and top-level symbols for a
 * file or a tree (walked like grep), plus totals per language.
 */
export async function analyzeTool(roots: readonly CodebaseRoot[], args: AnalyzeArgs, signal: AbortSignal): Promise<AnalyzeOutput> {
  checkAborted(signal);
  const { root, start, filter } = await searchScope(roots, args, args.include, args.exclude);
  const walk = walkFiles({ root, start, gitignore: args.gitignore, hidden: args.hidden, filter, signal });
  const files: FileReport[] = [];
  let truncated = false;
  let skippedBinary = 0;
  for await (const report of mapOrdered(walk, 8, (f) => analyzeFile(f.rel, f.abs, signal))) {
    checkAborted(signal);
    if (report === undefined) continue;
    if (report === "binary") {
      skippedBinary++;
      continue;
    }
    if (files.length >= args.maxFiles) {
      truncated = true;
      break;
    }
    files.push(report);
  }
  const languages: Record<string, { files: number; lines: number }> = {};
  for (const file of files) {
    const entry = (languages[file.language] ??= { files: 0, lines: 0 });
    entry.files += 1;
    entry.lines += file.lines;
  }
  return {
    root: root.name,
    files,
    languages,
    totalFiles: files.length,
    totalLines: files.reduce((sum, f) => sum + f.lines, 0),
    truncated,
    skippedBinary,
  };
}
