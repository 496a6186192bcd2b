import { parseArgs } from "node:util";

/** A flag of one command, as node:util parseArgs takes it. */
export interface FlagSpec {
  type: "string" | "boolean";
  multiple?: boolean;
  short?: string;
}

/** One `toolmesh` command: its flags, its usage text and what it runs. */
export interface CommandSpec {
  /** "run", or two words for a subcommand (findCommand tries those first). */
  name: string;
  /** One line for the overview (`toolmesh --help`). */
  synopsis: string;
  /** The whole usage text: synopsis, what it does, its flags. */
  usage: string;
  flags: Record<string, FlagSpec>;
  run(args: CommandArgs): Promise<number>;
}

/** A command line the command cannot run: exit 2 with this line and the command's usage. */
export class UsageError extends Error {
  override readonly name = "UsageError";
}

type Values = Record<string, string | boolean | Array<string | boolean> | undefined>;

/** A command's parsed flags and positionals, with typed accessors. */
export class CommandArgs {
  constructor(
    readonly command: string,
    readonly values: Values,
    readonly positionals: string[],
  ) {}

  string(flag: string): string | undefined {
    const value = this.values[flag];
    return typeof value === "string" ? value : undefined;
  }

  strings(flag: string): string[] | undefined {
    const value = this.values[flag];
    return Array.isArray(value) ? value.map(String) : undefined;
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

  /** A duration in seconds (> 0, fractions allowed), or undefined when not given. */
  seconds(flag: string): number | undefined {
    const text = this.string(flag);
    if (text === undefined) return undefined;
    const n = Number(text);
    if (text.trim() === "" || !Number.isFinite(n) || n <= 0) throw new UsageError(`--${flag} must be a number of seconds > 0, got "${text}"`);
    return n;
  }
}

const HELP: Record<string, FlagSpec> = { help: { type: "boolean", short: "h" } };

/** What a command line asks for: its usage, or a run with these arguments. */
export type Parsed = { help: true } | { help: false; args: CommandArgs };

/**
 * Parses `argv` (what follows the command's name) against the command's own
 * flags only. A flag it does not declare is a UsageError naming the flag; so
 * is a string flag without its value. --help / -h anywhere asks for the usage.
 */
export function parseCommand(spec: CommandSpec, argv: string[]): Parsed {
  const flags = { ...spec.flags, ...HELP };
  // A lenient pass first, to name an unknown flag exactly as it was typed
  // (strict parseArgs says "Unknown option" with advice about "--").
  const { tokens } = parseArgs({ args: argv, options: flags, strict: false, allowPositionals: true, tokens: true });
  let unknown: string | undefined;
  for (const token of tokens) {
    if (token.kind !== "option") continue;
    if (token.name === "help") return { help: true };
    if (!(token.name in flags) && unknown === undefined) unknown = token.rawName;
  }
  if (unknown !== undefined) throw new UsageError(`toolmesh ${spec.name} does not take ${unknown}`);
  try {
    const { values, positionals } = parseArgs({ args: argv, options: flags, strict: true, allowPositionals: true });
    return { help: false, args: new CommandArgs(spec.name, values as Values, positionals) };
  } catch (err) {
    if (err instanceof TypeError && "code" in err && String(err.code).startsWith("ERR_PARSE_ARGS")) {
      throw new UsageError(`toolmesh ${spec.name}: ${flagProblem(err.message)}`);
    }
    throw err;
  }
}

/** parseArgs' messages, said the way the rest of the CLI says things. */
function flagProblem(message: string): string {
  const missing = /^Option '(?:-\w, )?(--[\w-]+) <value>' argument missing/.exec(message);
  if (missing) return `${missing[1]} needs a value`;
  const noValue = /^Option '(?:-\w, )?(--[\w-]+)' does not take an argument/.exec(message);
  if (noValue) return `${noValue[1]} takes no value`;
  return message;
}
