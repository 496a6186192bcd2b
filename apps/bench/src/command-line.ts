import { parseArgs, type ParseArgsConfig } from "node:util";

/** A benchmark's flags, as node:util parseArgs takes them. */
export type Flags = NonNullable<ParseArgsConfig["options"]>;

/** One benchmark of `toolmesh-bench`: its flags, its usage text and what it runs. */
export interface BenchCommand {
  /** The subcommand ("explore"), or "" for the default benchmark. */
  name: string;
  /** The usage line, without "usage: ". */
  synopsis: string;
  /** What it does and its flags. */
  usage: string;
  flags: Flags;
  run(args: BenchArgs): Promise<void>;
}

/** A command line the benchmark cannot run: exit 2 with this line and its usage. */
export class UsageError extends Error {
  override readonly name = "UsageError";
}

type Values = Record<string, string | boolean | Array<string | boolean> | undefined>;

/** A benchmark's parsed flags and positionals, with typed accessors. */
export class BenchArgs {
  constructor(
    readonly command: string,
    readonly values: Values,
    readonly positionals: string[],
  ) {}

  string(flag: string): string | undefined {
    const value = this.values[flag];
    return typeof value === "string" ? value : undefined;
  }

  flag(flag: string): boolean {
    return this.values[flag] === true;
  }

  /** A whole number ≥ 0, or undefined when the flag was not given. */
  wholeNumber(flag: string): number | undefined {
    const text = this.string(flag);
    if (text === undefined) return undefined;
    const n = Number(text);
    if (text.trim() === "" || !Number.isInteger(n) || n < 0) throw new UsageError(`--${flag} must be a whole number, got "${text}"`);
    return n;
  }

  /** Fails on any positional: the benchmark takes flags only. */
  none(): void {
    if (this.positionals.length > 0) throw new UsageError(`${this.command} takes no arguments, got "${this.positionals.join(" ")}"`);
  }
}

const HELP: Flags = { help: { type: "boolean", short: "h" } };

/** The benchmark `argv` names (a subcommand, else the default one) and the arguments after its name. */
export function findCommand(commands: readonly BenchCommand[], argv: string[]): { command: BenchCommand; rest: string[] } {
  const sub = commands.find((c) => c.name !== "" && c.name === argv[0]);
  if (sub) return { command: sub, rest: argv.slice(1) };
  return { command: commands.find((c) => c.name === "")!, rest: argv };
}

/** The full name a benchmark goes by in messages: "toolmesh-bench explore". */
export function commandName(command: BenchCommand): string {
  return command.name === "" ? "toolmesh-bench" : `toolmesh-bench ${command.name}`;
}

export function commandUsage(command: BenchCommand): string {
  return `usage: ${command.synopsis}\n\n${command.usage}\n`;
}

/** What a command line asks for: the usage, or a run with these arguments. */
export type Parsed = { help: true } | { help: false; args: BenchArgs };

/**
 * Parses `argv` against the benchmark's own flags only; --help / -h anywhere
 * asks for the usage. An undeclared flag is a UsageError naming it as typed.
 */
export function parseCommand(command: BenchCommand, argv: string[]): Parsed {
  const name = commandName(command);
  const flags = { ...command.flags, ...HELP };
  // A lenient pass first, to name an unknown flag exactly as it was typed
  // (strict parseArgs says "Unknown option" with advice about "--").
  const { tokens } = parseArgs({ args: argv, options: flags, strict: false, allowPositionals: true, tokens: true });
  let unknown: string | undefined;
  for (const token of tokens) {
    if (token.kind !== "option") continue;
    if (token.name === "help") return { help: true };
    if (!(token.name in flags) && unknown === undefined) unknown = token.rawName;
  }
  if (unknown !== undefined) throw new UsageError(`${name} does not take ${unknown}`);
  try {
    const { values, positionals } = parseArgs({ args: argv, options: flags, strict: true, allowPositionals: true });
    return { help: false, args: new BenchArgs(name, values as Values, positionals) };
  } catch (err) {
    if (err instanceof TypeError && "code" in err && String(err.code).startsWith("ERR_PARSE_ARGS")) throw new UsageError(`${name}: ${err.message}`);
    throw err;
  }
}
