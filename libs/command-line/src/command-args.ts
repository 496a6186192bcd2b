import { UsageError } from "./errors.js";

export type FlagValues = Record<string, string | boolean | Array<string | boolean> | undefined>;

/** A command's parsed flags and positionals, with typed accessors. */
export class CommandArgs {
  constructor(
    /** The command's name in its table ("run", "" for a default command). */
    readonly command: string,
    /** The name messages use, program first: "toolmesh run". */
    readonly fullName: string,
    readonly values: FlagValues,
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
    if (text.trim() === "" || !Number.isFinite(n) || n <= 0)
      throw new UsageError(`--${flag} must be a number of seconds > 0, got "${text}"`);
    return n;
  }

  /** Fails on any positional, for a command that takes flags only. */
  none(): void {
    if (this.positionals.length > 0) throw new UsageError(`${this.fullName} takes no arguments, got "${this.positionals.join(" ")}"`);
  }
}
