import type { ToolArgs, codeAnalyze } from "@toolmesh/tools";
import { readFile } from "node:fs/promises";
import { pathFilter } from "./globs.js";
import { SCRIPT_LANGUAGES, languageOf } from "./languages.js";
import { pickRoot, resolveInRoot, type CodebaseRoot } from "./roots.js";
import { lineSymbols, scriptSymbols, type CodeSymbol } from "./symbols.js";
import { walkFiles } from "./walk.js";

type AnalyzeArgs = ToolArgs<typeof codeAnalyze>;

/** Files above this are counted but not parsed for symbols. */
const MAX_PARSE_BYTES = 2 * 1024 * 1024;

interface FileReport {
  path: string;
  language: string;
  lines: number;
  bytes: number;
  symbols: CodeSymbol[];
}

async function analyzeFile(rel: string, abs: string): Promise<FileReport | undefined> {
  const buf = await readFile(abs).catch(() => undefined);
  if (!buf || buf.subarray(0, 8192).includes(0)) return undefined;
  const text = buf.toString("utf8");
  const language = languageOf(rel);
  const lines = text.length === 0 ? 0 : text.split("\n").length - (text.endsWith("\n") ? 1 : 0);
  let symbols: CodeSymbol[] = [];
  if (buf.length <= MAX_PARSE_BYTES) symbols = SCRIPT_LANGUAGES.has(language) ? scriptSymbols(rel, text) : lineSymbols(language, text);
  return { path: rel, language, lines, bytes: buf.length, symbols };
}

/** code.analyze: per-file language, lines and top-level symbols, plus totals per language. */
export async function analyzeTree(roots: readonly CodebaseRoot[], args: AnalyzeArgs, signal: AbortSignal): Promise<Record<string, unknown>> {
  const root = pickRoot(roots, args.root);
  const start = await resolveInRoot(root, args.path);
  const keep = pathFilter(args.include, args.exclude);
  const files: FileReport[] = [];
  let truncated = false;
  for await (const file of walkFiles(root, start.rel, { gitignore: args.gitignore, hidden: args.hidden, signal })) {
    if (!keep(file.rel)) continue;
    if (files.length >= args.maxFiles) {
      truncated = true;
      break;
    }
    const report = await analyzeFile(file.rel, file.abs);
    if (report) files.push(report);
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
  };
}
