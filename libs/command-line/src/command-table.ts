import { parseArgs } from "node:util";
import { CommandArgs } from "./command-args.js";
import type { CommandSpec, FlagSpec } from "./command-spec.js";
import { UsageError } from "./errors.js";

const HELP: Record<string, FlagSpec> = { help: { type: "boolean", short: "h" } };

/** What a command line asks for: the command's usage, or a run with these arguments. */
export type Parsed = { help: true } | { help: false; args: CommandArgs };

/** Where `run` writes; tests pass their own to read what a program would print. */
export interface CommandOutput {
  stdout(text: string): void;
  stderr(text: string): void;
}

const PROCESS_OUTPUT: CommandOutput = {
  stdout: (text) => void process.stdout.write(text),
  stderr: (text) => void process.stderr.write(text),
};

/**
 * The commands of one program. Each parses its own flags only, so a flag
 * another command takes is still an error here; --help / -h anywhere asks
 * for the command's usage.
 */
export class CommandTable {
  constructor(
    /** The program's name as typed: "toolmesh". */
    readonly program: string,
    /** In the order an overview lists them. */
    readonly commands: readonly CommandSpec[],
  ) {}

  /**
   * The command `argv` names and the arguments after its name: a two-word
   * command before a one-word one, else the default command (named ""), if any.
   */
  find(argv: readonly string[]): { command: CommandSpec; rest: string[] } | undefined {
    const [first, second] = argv;
    const named = (name: string): CommandSpec | undefined => this.commands.find((c) => c.name !== "" && c.name === name);
    const sub = first !== undefined && second !== undefined ? named(`${first} ${second}`) : undefined;
    if (sub) return { command: sub, rest: argv.slice(2) };
    const command = first !== undefined ? named(first) : undefined;
    if (command) return { command, rest: argv.slice(1) };
    const fallback = this.commands.find((c) => c.name === "");
    return fallback && { command: fallback, rest: [...argv] };
  }

  /** The name messages use: "toolmesh run", or the program's alone for its default command. */
  fullName(command: CommandSpec): string {
    return command.name === "" ? this.program : `${this.program} ${command.name}`;
  }

  /** The command's usage line without "usage: ", as an overview lists it. */
  synopsis(command: CommandSpec): string {
    return `${this.program} ${command.synopsis}`;
  }

  /** The synopsis line, then the rest of the usage. */
  usage(command: CommandSpec): string {
    return `usage: ${this.synopsis(command)}\n\n${command.usage}\n`;
  }

  /**
   * Each flag a command declares that its usage does not mention, as
   * "toolmesh up --demo": a table's own tests expect none, so --help tells of every flag.
   */
  undocumentedFlags(): string[] {
    return this.commands.flatMap((c) =>
      Object.keys(c.flags)
        .filter((flag) => !c.usage.includes(`--${flag}`))
        .map((flag) => `${this.fullName(c)} --${flag}`),
    );
  }

  /**
   * Parses `argv` (what follows the command's name) against the command's
   * own flags. An undeclared flag is a UsageError naming it as typed; so is
   * a string flag without its value.
   */
  parse(command: CommandSpec, argv: readonly string[]): Parsed {
    const name = this.fullName(command);
    const flags = { ...command.flags, ...HELP };
    const args = [...argv];
    // A lenient pass first, to name an unknown flag exactly as it was typed
    // (strict parseArgs says "Unknown option" with advice about "--").
    const { tokens } = parseArgs({ args, options: flags, strict: false, allowPositionals: true, tokens: true });
    let unknown: string | undefined;
    for (const token of tokens) {
      if (token.kind !== "option") continue;
      if (token.name === "help") return { help: true };
      if (!(token.name in flags) && unknown === undefined) unknown = token.rawName;
    }
    if (unknown !== undefined) throw new UsageError(`${name} does not take ${unknown}`);
    try {
      const { values, positionals } = parseArgs({ args, options: flags, strict: true, allowPositionals: true });
      return { help: false, args: new CommandArgs(command.name, name, values, positionals) };
    } catch (err) {
      if (err instanceof TypeError && "code" in err && String(err.code).startsWith("ERR_PARSE_ARGS")) {
        throw new UsageError(`${name}: ${flagProblem(err.message)}`);
      }
      throw err;
    }
  }

  /**
   * Runs the command on `argv` and resolves to the exit code: its usage on
   * stdout and 0 for --help; a UsageError is one error line and the usage on
   * stderr, exit 2. Any other error is the caller's.
   */
  async run(command: CommandSpec, argv: readonly string[], output: CommandOutput = PROCESS_OUTPUT): Promise<number> {
    try {
      const parsed = this.parse(command, argv);
      if (parsed.help) {
        output.stdout(this.usage(command));
        return 0;
      }
      return await command.run(parsed.args);
    } catch (err) {
      if (!(err instanceof UsageError)) throw err;
      output.stderr(`error: ${err.message}\n\n${this.usage(command)}`);
      return 2;
    }
  }
}

/** parseArgs' messages, said the way the rest of a usage error says things. */
function flagProblem(message: string): string {
  const missing = /^Option '(?:-\w, )?(--[\w-]+) <value>' argument missing/.exec(message);
  if (missing) return `${missing[1]} needs a value`;
  const noValue = /^Option '(?:-\w, )?(--[\w-]+)' does not take an argument/.exec(message);
  if (noValue) return `${noValue[1]} takes no value`;
  return message;
}
