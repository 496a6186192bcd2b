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
 * Nothing here throws: a malformed item is dropped and counted.
 */
import { RECORD_KINDS, type RecordKind, type SynthRecord } from "./record.js";
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
const isObj = (v: unknown): v is Obj => typeof v === "object" && v !== null && !Array.isArray(v);
const str = (v: unknown): string | undefined => (typeof v === "string" ? v : undefined);
const num = (v: unknown): number | undefined => (typeof v === "number" && Number.isFinite(v) ? v : undefined);
const cut = (text: string): string => (text.length > MAX_TEXT ? text.slice(0, MAX_TEXT) : text);

/** The records of one input (see the table above); never throws. */
export function toRecords(input: SynthInput): SynthRecord[] {
  return normalise(input).records;
}

export function normalise(input: SynthInput): Normalised {
  try {
    if (!isObj(input) || !isObj(input.output)) return { records: [], skippedItems: 0, readable: false };
    const ctx = new Context(str(input.source) ?? "?", str(input.tool) ?? "?");
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

  /** Applies `read` to each element of a list; elements it rejects (returns false or throws) are counted. */
  each(list: unknown[], read: (item: Obj) => boolean): void {
    this.recognised = true;
    for (const item of list) {
      let ok = false;
      try {
        ok = isObj(item) && read(item);
      } catch {
        ok = false;
      }
      if (!ok) this.skipped++;
    }
  }
}

function readOutput(ctx: Context, out: Obj, item: unknown): void {
  if (Array.isArray(out.records)) return ctx.each(out.records, (r) => readRecord(ctx, r));
  if (Array.isArray(out.groups)) {
    // synth.correlate: the records of its groups (a record in several groups is merged later by key).
    return ctx.each(out.groups, (g) => (Array.isArray(g.records) ? (ctx.each(g.records, (r) => readRecord(ctx, r)), true) : false));
  }
  if (isObj(out.report) && typeof out.markdown === "string") {
    ctx.recognised = true;
    const title = str(out.report.title);
    return ctx.add({ kind: "text", key: `text:${ctx.source}:${shortHash(out.markdown)}`, ...(title ? { title } : {}), text: out.markdown });
  }
  if (Array.isArray(out.matches)) return ctx.each(out.matches, (m) => readMatch(ctx, m));
  if (Array.isArray(out.files)) return ctx.each(out.files, (f) => readFile(ctx, f));
  if (Array.isArray(out.results)) return ctx.each(out.results, (r) => readSearchResult(ctx, r));
  if (typeof out.content === "string" && typeof out.path === "string") return readContent(ctx, out);
  if (typeof out.text === "string" && (typeof out.finalUrl === "string" || typeof out.url === "string")) return readPage(ctx, out);
  if (typeof out.stdout === "string" || typeof out.stderr === "string") return readCommand(ctx, out, item);
  if (typeof out.answer === "string") return readAgent(ctx, out);
  readText(ctx, out, item);
}

function readMatch(ctx: Context, m: Obj): boolean {
  const path = str(m.path);
  const line = num(m.line);
  if (!path || line === undefined) return false;
  ctx.add({ kind: "match", key: `${path}:${line}`, text: str(m.text) ?? "", path, line });
  return true;
}

/** code.analyze's files have a language; code.glob's only a size. */
function readFile(ctx: Context, f: Obj): boolean {
  const path = str(f.path);
  if (!path) return false;
  const language = str(f.language);
  const lines = num(f.lines);
  const bytes = num(f.bytes) ?? num(f.size);
  const symbols = Array.isArray(f.symbols) ? f.symbols.filter(isObj) : undefined;
  const imports = Array.isArray(f.imports) ? f.imports.filter((i): i is string => typeof i === "string") : undefined;
  const names = (symbols ?? []).map((s) => str(s.name)).filter((n): n is string => !!n);
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
  for (const s of symbols ?? []) {
    const name = str(s.name);
    const line = num(s.line);
    if (!name || line === undefined) {
      ctx.skipped++;
      continue;
    }
    const kind = str(s.kind) ?? "symbol";
    const exported = s.exported === true ? "exported " : "";
    ctx.add({ kind: "symbol", key: `${path}:${line}#${name}`, title: name, text: `${exported}${kind} ${name}`, path, line, ...(language ? { language } : {}) });
  }
  return true;
}

function readContent(ctx: Context, out: Obj): void {
  ctx.recognised = true;
  const path = str(out.path) as string;
  const lines = num(out.totalLines);
  const bytes = num(out.size);
  const language = languageOf(path);
  ctx.add({
    kind: "file",
    key: path,
    text: str(out.content) ?? "",
    path,
    ...(language ? { language } : {}),
    ...(lines !== undefined ? { lines } : {}),
    ...(bytes !== undefined ? { bytes } : {}),
  });
}

function readSearchResult(ctx: Context, r: Obj): boolean {
  const url = str(r.url);
  if (!url) return false;
  const title = str(r.title);
  const score = num(r.score);
  ctx.add({ kind: "search-result", key: canonicalUrl(url), url, text: str(r.snippet) ?? "", ...(title ? { title } : {}), ...(score !== undefined ? { score } : {}) });
  return true;
}

function readPage(ctx: Context, out: Obj): void {
  ctx.recognised = true;
  const url = (str(out.finalUrl) ?? str(out.url)) as string;
  const title = str(out.title);
  ctx.add({ kind: "page", key: canonicalUrl(url), url, text: str(out.text) ?? "", ...(title ? { title } : {}) });
}

function readCommand(ctx: Context, out: Obj, item: unknown): void {
  ctx.recognised = true;
  const stdout = str(out.stdout) ?? "";
  const stderr = str(out.stderr) ?? "";
  const exitCode = out.exitCode === null ? null : num(out.exitCode);
  const killed = str(out.killed);
  const command = str(out.command) ?? (Array.isArray(out.command) ? out.command.join(" ") : undefined) ?? (typeof item === "string" ? item : undefined);
  const status = killed ? `killed (${killed})` : exitCode === null ? `signal ${str(out.signal) ?? "?"}` : `exit ${exitCode ?? "?"}`;
  ctx.add({
    kind: "command",
    key: `command:${ctx.source}`,
    title: command ? `${command} (${status})` : status,
    text: stderr && stdout ? `${stdout}\n${stderr}` : stdout || stderr,
    ...(exitCode !== undefined ? { exitCode } : {}),
  });
}

function readAgent(ctx: Context, out: Obj): void {
  ctx.recognised = true;
  const goal = str(out.goal);
  ctx.add({ kind: "agent", key: `agent:${ctx.source}`, text: str(out.answer) ?? "", ...(goal ? { title: goal } : {}) });
}

/** Records written by a synth tool, checked field by field. */
function readRecord(ctx: Context, r: Obj): boolean {
  const kind = str(r.kind) as RecordKind | undefined;
  const key = str(r.key);
  if (!kind || !RECORD_KINDS.includes(kind) || !key || typeof r.text !== "string") return false;
  const strings = (v: unknown): string[] | undefined => (Array.isArray(v) ? v.filter((s): s is string => typeof s === "string") : undefined);
  const record: SynthRecord = { kind, key, text: cut(r.text), sources: strings(r.sources) ?? [], tools: strings(r.tools) ?? [] };
  if (record.sources.length === 0) record.sources.push(ctx.source);
  if (record.tools.length === 0) record.tools.push(ctx.tool);
  for (const field of ["title", "path", "url", "language"] as const) {
    const v = str(r[field]);
    if (v !== undefined) record[field] = v;
  }
  for (const field of ["line", "score", "lines", "bytes", "symbols", "rankScore"] as const) {
    const v = num(r[field]);
    if (v !== undefined) record[field] = v;
  }
  if (r.exitCode === null || num(r.exitCode) !== undefined) record.exitCode = r.exitCode as number | null;
  const imports = strings(r.imports);
  if (imports) record.imports = imports;
  ctx.records.push(record);
  return true;
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
  const title = str(out.title) ?? (typeof item === "string" ? item : undefined);
  ctx.add({ kind: "text", key: `text:${ctx.source}:${shortHash(text)}`, text, ...(title ? { title } : {}) });
}

const LANGUAGES: Record<string, string> = {
  ts: "TypeScript", tsx: "TypeScript", mts: "TypeScript", cts: "TypeScript", js: "JavaScript", jsx: "JavaScript", mjs: "JavaScript", cjs: "JavaScript",
  py: "Python", go: "Go", rs: "Rust", java: "Java", kt: "Kotlin", c: "C", h: "C", cc: "C++", cpp: "C++", hpp: "C++", cs: "C#", rb: "Ruby",
  php: "PHP", swift: "Swift", sh: "Shell", md: "Markdown", json: "JSON", yaml: "YAML", yml: "YAML", toml: "TOML", html: "HTML", css: "CSS", proto: "Protocol Buffers",
};

/** A language for code.read's files, which carry none (code.analyze's names win when both are known). */
function languageOf(path: string): string | undefined {
  const ext = /\.([A-Za-z0-9]+)$/.exec(path)?.[1]?.toLowerCase();
  return ext ? LANGUAGES[ext] : undefined;
}
