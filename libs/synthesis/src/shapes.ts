/**
 * How synthesis reads tool outputs: by the catalog's output schemas, leniently.
 * Each reader takes the fields it reads, and their types, from a tool's
 * output schema (@toolmesh/tools), so a field renamed or retyped there no
 * longer compiles here. A field that is not of its type is dropped, not
 * fatal; only the few a record cannot do without (a match's path and line)
 * must hold, by synthesis's own rules, looser than the schema's: an output
 * from an older or a foreign tool, or one written by hand, still yields what
 * it can. The checks are compiled from the schemas into plain guards once:
 * the coordinator runs synthesis inline, over outputs of thousands of items.
 */
import {
  agentRun,
  analyzedFile,
  bashExec,
  codeAnalyze,
  codeGrep,
  codeRead,
  codeSymbol,
  globFile,
  grepMatch,
  providerAttempt,
  searchAttempts,
  searchResult,
  synthCorrelate,
  synthMerge,
  synthRecord,
  synthReport,
  webFetch,
  webSearch,
} from "@toolmesh/tools";
import { z } from "zod";

type Obj = Record<string, unknown>;
export const isObj = (v: unknown): v is Obj => typeof v === "object" && v !== null && !Array.isArray(v);

/** A field a reader cannot do without: its value as read, or FAIL. */
const FAIL = Symbol("unreadable");
type Rule<T> = (v: unknown) => T | typeof FAIL;
type RuleValue<R> = R extends Rule<infer T> ? T : never;

/** Reads an object into the fields it has; undefined when it is not an object or a rule fails. */
export type Reader<T> = (v: unknown) => T | undefined;
export type Read<R> = R extends Reader<infer T> ? T : never;

/** The check of a field's base type from its schema, bounds left out: a count of -1 is still a number to pass on. */
function typeCheck(type: z.ZodTypeAny): (v: unknown) => boolean {
  // instanceof narrows to ZodOptional<any> and the like, whose inner types are any.
  if (type instanceof z.ZodOptional) return typeCheck(type.unwrap() as z.ZodTypeAny);
  if (type instanceof z.ZodNullable) {
    const inner = typeCheck(type.unwrap() as z.ZodTypeAny);
    return (v) => v === null || inner(v);
  }
  if (type instanceof z.ZodString) return (v) => typeof v === "string";
  if (type instanceof z.ZodNumber) return (v) => typeof v === "number" && Number.isFinite(v);
  if (type instanceof z.ZodBoolean) return (v) => typeof v === "boolean";
  const options: readonly unknown[] | undefined =
    type instanceof z.ZodEnum ? (type.options as readonly unknown[]) : type instanceof z.ZodLiteral ? [type.value as unknown] : undefined;
  if (options) return (v) => options.includes(v);
  return (v) => type.safeParse(v).success;
}

/**
 * A reader of the `read` fields of `shape` (each kept when it is of its
 * schema's type) and of the `rules` fields, which must be fields of `shape`
 * too and must hold, or nothing is read. `extra` rules read fields outside
 * the schema that other producers of such outputs carry.
 */
function lenient<
  T extends z.ZodRawShape,
  K extends keyof T & string,
  R extends { [P in keyof R]: P extends keyof T ? Rule<unknown> : never },
  E extends Record<string, Rule<unknown>> = Record<never, never>,
>(
  shape: T,
  read: readonly K[],
  rules: R,
  extra?: E,
): Reader<{ [P in K]?: z.infer<T[P]> } & { [P in keyof R | keyof E]: RuleValue<(R & E)[P]> }> {
  const checks = read.map((key) => [key, typeCheck(shape[key]!)] as const);
  const ruled = Object.entries<Rule<unknown>>({ ...rules, ...extra });
  return (v) => {
    if (!isObj(v)) return undefined;
    const out: Obj = {};
    for (const [key, rule] of ruled) {
      const value = rule(v[key]);
      if (value === FAIL) return undefined;
      if (value !== undefined) out[key] = value;
    }
    for (const [key, check] of checks) if (v[key] !== undefined && check(v[key])) out[key] = v[key];
    return out as { [P in K]?: z.infer<T[P]> } & { [P in keyof R | keyof E]: RuleValue<(R & E)[P]> };
  };
}

/** A present, non-empty string: what a record's identity needs. */
const name: Rule<string> = (v) => (typeof v === "string" && v !== "" ? v : FAIL);
const string: Rule<string> = (v) => (typeof v === "string" ? v : FAIL);
const finite: Rule<number> = (v) => (typeof v === "number" && Number.isFinite(v) ? v : FAIL);
/** A list whose items are read (and counted when unreadable) one by one. */
const list: Rule<unknown[]> = (v) => (Array.isArray(v) ? v : FAIL);
/** A list of which only the strings count (the others are dropped, not fatal). */
const strings: Rule<string[]> = (v) => (Array.isArray(v) ? v.filter((s): s is string => typeof s === "string") : FAIL);
const oneOf =
  <V extends string>(values: readonly V[]): Rule<V> =>
  (v) =>
    values.includes(v as V) ? (v as V) : FAIL;
/** `rule` made optional: a value it refuses is left out. */
const optional =
  <T>(rule: Rule<T>): ((v: unknown) => T | undefined) =>
  (v) => {
    const value = rule(v);
    return value === FAIL ? undefined : value;
  };
const exitCode: Rule<number | null> = (v) => (v === null ? null : finite(v));

/** code.grep's matches. */
export const asMatch = lenient(grepMatch.shape, ["text"], { path: name, line: finite });

/** code.analyze's files (symbols read one by one) and code.glob's; `imports` where an output lists them. */
export const asFile = lenient(
  { ...analyzedFile.shape, ...globFile.shape },
  ["language", "lines", "bytes", "size"],
  { path: name, symbols: optional(list) },
  { imports: optional(strings) },
);
export const asSymbol = lenient(codeSymbol.shape, ["kind", "exported"], { name, line: finite });
/** A symbol only for its name, whatever else it lacks. */
export const asSymbolName = lenient(codeSymbol.shape, ["name"], {});

/** code.read's output. */
export const asContent = lenient(codeRead.output.shape, ["totalLines", "size"], { path: string, content: string });

/** web.search's results. */
export const asSearchResult = lenient(searchResult.shape, ["title", "snippet", "score"], { url: name });

/** web.fetch's output: a text and the URL it came from (finalUrl, else url). */
const pageFields = lenient(webFetch.output.shape, ["url", "finalUrl", "title"], { text: string });
export const asPage: Reader<Read<typeof pageFields>> = (v) => {
  const page = pageFields(v);
  return page && (page.finalUrl !== undefined || page.url !== undefined) ? page : undefined;
};

/** bash.exec's output (either stream suffices); `command` and `killed` where an output names them. */
const commandFields = lenient(
  bashExec.output.shape,
  ["stdout", "stderr", "signal"],
  { exitCode: optional(exitCode) },
  { command: optional((v) => (typeof v === "string" ? v : Array.isArray(v) ? v.join(" ") : FAIL)), killed: optional(string) },
);
export const asCommand: Reader<Read<typeof commandFields>> = (v) => {
  const command = commandFields(v);
  return command && (command.stdout !== undefined || command.stderr !== undefined) ? command : undefined;
};

/** agent.run's output; `goal` where an output repeats it. */
export const asAgent = lenient(agentRun.output.shape, [], { answer: string }, { goal: optional(string) });

/** Records a synth tool wrote: kind, key and text must hold; sources and tools keep their strings. */
export const asRecord = lenient(
  synthRecord.shape,
  ["title", "path", "url", "language", "line", "score", "lines", "bytes", "symbols", "rankScore"],
  {
    kind: oneOf(synthRecord.shape.kind.options),
    key: name,
    text: string,
    sources: (v: unknown) => optional(strings)(v) ?? [],
    tools: (v: unknown) => optional(strings)(v) ?? [],
    imports: optional(strings),
    exitCode: optional(exitCode),
  },
);

/** Outputs holding a list: synth outputs' records and groups, code.grep's matches, code.*'s files, web.search's results. */
export const asRecords = lenient(synthMerge.output.shape, [], { records: list });
export const asGroups = lenient(synthCorrelate.output.shape, [], { groups: list });
export const asMatches = lenient(codeGrep.output.shape, [], { matches: list });
export const asFiles = lenient(codeAnalyze.output.shape, [], { files: list });
export const asResults = lenient(webSearch.output.shape, [], { results: list });

/** synth.report's output: the report (for its title) and its Markdown. */
export const asReport = lenient(synthReport.output.shape, [], {
  report: (v: unknown) => (isObj(v) ? { title: optional(string)(v.title) } : FAIL),
  markdown: string,
});

/** One provider attempt of a web.search: provider and outcome must hold; `web` unless it says false. */
export const asAttempt = lenient(providerAttempt.shape, ["results", "code", "error"], {
  provider: string,
  web: (v: unknown) => v !== false,
  outcome: oneOf(providerAttempt.shape.outcome.options),
});

/** What carries attempts: a web.search output, or a `searches` entry of a synth output (with its source). */
export const asSearch = lenient(webSearch.output.shape, [], { attempts: list, configure: optional(string) });
export const asCarried = lenient(searchAttempts.shape, [], { source: string });
export const asCarrying = lenient(synthMerge.output.shape, [], { searches: list });
