import type { CommandArgs } from "./command-args.js";

/** A flag of one command, as node:util parseArgs takes it. */
export interface FlagSpec {
  type: "string" | "boolean";
  multiple?: boolean;
  short?: string;
}

/** One command of a program: its flags, its usage text and what it runs. */
export interface CommandSpec {
  /**
   * "run", two words for a subcommand (tried first), or "" for the command
   * that runs when no other is named.
   */
  name: string;
  /** The usage line after the program's name: "run FILE [--json]". */
  synopsis: string;
  /** What it does and its flags, shown under the synopsis. */
  usage: string;
  flags: Record<string, FlagSpec>;
  /** Resolves to the process's exit code. */
  run(args: CommandArgs): Promise<number>;
}
