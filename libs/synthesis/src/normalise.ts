/**
 * Tool outputs → records. Shapes are recognised by their fields (not by the
 * tool's name), so renamed tools and synth tools' own outputs work too:
 *
 *   code.grep     {matches: [{path, line, column, text, before?, after?}]}      → "match"  key path:line
 *   code.analyze  {files: [{path, language, lines, bytes, symbols: [...]}]}     → "file" + "symbol"
 *   code.glob     {files: [{path, size}]}                                       → "file"   key path
 *   code.read     {path, content, startLine, endLine, totalLines, size}         → "file"   key path
 *   web.search    {query, results: [{url, title, snippet, provider, rank, score}]} → "search-result" key canonical URL
 *   web.fetch     {url, finalUrl, status, title?, text, ...}                    → "page"   key canonical URL
 *   bash.exec     {exitCode, signal, stdout, stderr, durationMs, ...}           → "command"
 *   agent.run     {answer, ...}                                                 → "agent"
 *   synth.*       {records: [...]}, {groups: [{records}]}, {report, markdown}   → the records again
 *   anything else → one "text" record of its string fields (test.echo's value)
 *
 * Each shape is read by its tool's output schema, leniently (shapes.ts).
 * Nothing here throws: a malformed item is dropped and counted.
 */
import { languageOf } from "@toolmesh/tools";
import type { SynthRecord } from "./record.js";
import {
  asAgent,
  asCommand,
  asContent,
  asFile,
  asFiles,
  asGroups,
  asMatch,
  asMatches,
  asPage,
  asRecord,
  asRecords,
  asReport,
  asResults,
  asSearchResult,
  asSymbol,
  asSymbolName,
  isObj,
  type Read,
  type Reader,
} from "./shapes.js";
import { canonicalUrl, shortHash } from "./text.js";

export interface SynthInput {
  /** The task id that produced it: "grep-todo", or "analyze[17]" for item 17 of a fan-out task. */
  source: string;
  /** That task's tool: "code.grep", "web.fetch", "synth.rank", ... */
  tool: string;
  /** The fan-out item the task ran for, if any. */
  item?: unknown;
  output: Record<string, unknown>;
}

export interface Normalised {
  records: SynthRecord[];
  /** Items of the output that could not be read (a match without a path, ...). */
  skippedItems: number;
  /** False when nothing of the output could be read (not an object, or no usable field). */
  readable: boolean;
}

/** Texts longer than this are cut: records are for ranking and reports, not archives. */
export const MAX_TEXT = 100_000;

type Obj = Record<string, unknown>;
const cut = (text: string): string => (text.length > MAX_TEXT ? text.slice(0, MAX_TEXT) : text);

/** The records of one input (see the table above); never throws. */
export function toRecords(input: SynthInput): SynthRecord[] {
  return normalise(input).records;
}

export function normalise(input: SynthInput): Normalised {
  try {
    if (!isObj(input) || !isObj(input.output)) return { records: [], skippedItems: 0, readable: false };
    const ctx = new Context(typeof input.source === "string" ? input.source : "?", typeof input.tool === "string" ? input.tool : "?");
    readOutput(ctx, input.output, input.item);
    return { records: ctx.records, skippedItems: ctx.skipped, readable: ctx.records.length > 0 || ctx.recognised };
  } catch {
    return { records: [], skippedItems: 0, readable: false };
  }
}

class Context {
  records: SynthRecord[] = [];
  skipped = 0;
  /** The output had a known shape, even if it held no items (a grep without matches). */
  recognised = false;
  constructor(
    readonly source: string,
    readonly tool: string,
  ) {}

  add(record: Omit<SynthRecord, "sources" | "tools">): void {
    this.records.push({ ...record, text: cut(record.text), sources: [this.source], tools: [this.tool] });
  }

  /** Reads each element of a list that `as` can read; elements it cannot (or whose reading throws) are counted. */
  each<T>(list: unknown[], as: Reader<T>, read: (item: T) => void): void {
    this.recognised = true;
    for (const item of list) {
      try {
        const parsed = as(item);
        if (parsed === undefined) this.skipped++;
        else read(parsed);
      } catch {
        this.skipped++;
      }
    }
  }
}

/** The first shape the output has, in this order (a synth output's records before anything else). */
function readOutput(ctx: Context, out: Obj, item: unknown): void {
  const records = asRecords(out);
  if (records) return ctx.each(records.records, asRecord, (r) => readRecord(ctx, r));
  // synth.correlate: the records of its groups (a record in several groups is merged later by key).
  const groups = asGroups(out);
  if (groups) return ctx.each(groups.groups, asRecords, (g) => ctx.each(g.records, asRecord, (r) => readRecord(ctx, r)));
  const report = asReport(out);
  if (report) {
    ctx.recognised = true;
    const { markdown } = report;
    const title = report.report.title;
    return ctx.add({ kind: "text", key: `text:${ctx.source}:${shortHash(markdown)}`, ...(title ? { title } : {}), text: markdown });
  }
  const matches = asMatches(out);
  if (matches) return ctx.each(matches.matches, asMatch, (m) => readMatch(ctx, m));
  const files = asFiles(out);
  if (files) return ctx.each(files.files, asFile, (f) => readFile(ctx, f));
  const results = asResults(out);
  if (results) return ctx.each(results.results, asSearchResult, (r) => readSearchResult(ctx, r));
  const content = asContent(out);
  if (content) return readContent(ctx, content);
  const page = asPage(out);
  if (page) return readPage(ctx, page);
  const command = asCommand(out);
  if (command) return readCommand(ctx, command, item);
  const agent = asAgent(out);
  if (agent) return readAgent(ctx, agent);
  readText(ctx, out, item);
}

function readMatch(ctx: Context, m: Read<typeof asMatch>): void {
  ctx.add({ kind: "match", key: `${m.path}:${m.line}`, text: m.text ?? "", path: m.path, line: m.line });
}

/** code.analyze's files have a language; code.glob's only a size. */
function readFile(ctx: Context, f: Read<typeof asFile>): void {
  const { path, language, lines, imports } = f;
  const bytes = f.bytes ?? f.size;
  // Only objects count as symbols; each named one names the file, those without a name or line are skipped as records.
  const symbols = f.symbols?.filter(isObj);
  const names = (symbols ?? []).flatMap((s) => asSymbolName(s)?.name || []);
  const named = (symbols ?? []).map(asSymbol);
  ctx.add({
    kind: "file",
    key: path,
    text: names.length ? `${path} ${names.join(" ")}` : path,
    path,
    ...(language ? { language } : {}),
    ...(lines !== undefined ? { lines } : {}),
    ...(bytes !== undefined ? { bytes } : {}),
    ...(symbols ? { symbols: symbols.length } : {}),
    ...(imports ? { imports } : {}),
  });
  for (const s of named) {
    if (!s) {
      ctx.skipped++;
      continue;
    }
    const { name, line, kind = "symbol" } = s;
    const exported = s.exported === true ? "exported " : "";
    ctx.add({
      kind: "symbol",
      key: `${path}:${line}#${name}`,
      title: name,
      text: `${exported}${kind} ${name}`,
      path,
      line,
      ...(language ? { language } : {}),
    });
  }
}

function readContent(ctx: Context, out: Read<typeof asContent>): void {
  ctx.recognised = true;
  const { path, content, totalLines: lines, size: bytes } = out;
  const language = languageOf(path);
  ctx.add({
    kind: "file",
    key: path,
    text: content,
    path,
    ...(language ? { language } : {}),
    ...(lines !== undefined ? { lines } : {}),
    ...(bytes !== undefined ? { bytes } : {}),
  });
}

function readSearchResult(ctx: Context, r: Read<typeof asSearchResult>): void {
  const { url, title, score } = r;
  ctx.add({
    kind: "search-result",
    key: canonicalUrl(url),
    url,
    text: r.snippet ?? "",
    ...(title ? { title } : {}),
    ...(score !== undefined ? { score } : {}),
  });
}

function readPage(ctx: Context, out: Read<typeof asPage>): void {
  ctx.recognised = true;
  const url = (out.finalUrl ?? out.url) as string;
  const title = out.title;
  ctx.add({ kind: "page", key: canonicalUrl(url), url, text: out.text, ...(title ? { title } : {}) });
}

function readCommand(ctx: Context, out: Read<typeof asCommand>, item: unknown): void {
  ctx.recognised = true;
  const stdout = out.stdout ?? "";
  const stderr = out.stderr ?? "";
  const { exitCode, killed } = out;
  const command = out.command ?? (typeof item === "string" ? item : undefined);
  const status = killed ? `killed (${killed})` : exitCode === null ? `signal ${out.signal ?? "?"}` : `exit ${exitCode ?? "?"}`;
  ctx.add({
    kind: "command",
    key: `command:${ctx.source}`,
    title: command ? `${command} (${status})` : status,
    text: stderr && stdout ? `${stdout}\n${stderr}` : stdout || stderr,
    ...(exitCode !== undefined ? { exitCode } : {}),
  });
}

function readAgent(ctx: Context, out: Read<typeof asAgent>): void {
  ctx.recognised = true;
  const { goal } = out;
  ctx.add({ kind: "agent", key: `agent:${ctx.source}`, text: out.answer, ...(goal ? { title: goal } : {}) });
}

/** Records written by a synth tool: kind, key and text hold (recordShape); other fields are kept where they fit. */
function readRecord(ctx: Context, r: Read<typeof asRecord>): void {
  const record: SynthRecord = { kind: r.kind, key: r.key, text: cut(r.text), sources: r.sources, tools: r.tools };
  if (record.sources.length === 0) record.sources.push(ctx.source);
  if (record.tools.length === 0) record.tools.push(ctx.tool);
  for (const field of ["title", "path", "url", "language"] as const) {
    const v = r[field];
    if (v !== undefined) record[field] = v;
  }
  for (const field of ["line", "score", "lines", "bytes", "symbols", "rankScore"] as const) {
    const v = r[field];
    if (v !== undefined) record[field] = v;
  }
  if (r.exitCode !== undefined) record.exitCode = r.exitCode;
  if (r.imports) record.imports = r.imports;
  ctx.records.push(record);
}

/** Unknown shapes: the output's string fields (nested ones too, a few levels deep) as one text record. */
function readText(ctx: Context, out: Obj, item: unknown): void {
  const parts: string[] = [];
  const visit = (v: unknown, depth: number): void => {
    if (parts.length >= 1000 || depth > 4) return;
    if (typeof v === "string") {
      if (v.trim()) parts.push(v);
    } else if (Array.isArray(v)) v.forEach((x) => visit(x, depth + 1));
    else if (isObj(v)) Object.values(v).forEach((x) => visit(x, depth + 1));
  };
  visit(out, 0);
  if (parts.length === 0) return;
  const text = parts.join("\n");
  const title = typeof out.title === "string" ? out.title : typeof item === "string" ? item : undefined;
  ctx.add({ kind: "text", key: `text:${ctx.source}:${shortHash(text)}`, text, ...(title ? { title } : {}) });
}
