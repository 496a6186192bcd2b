/**
 * @toolmesh/command-line — a program's table of commands over node:util
 * parseArgs: each command declares its flags, synopsis and usage; the table
 * finds the command a command line names, parses only that command's flags
 * (an undeclared one is a UsageError naming it), answers --help with the
 * usage and turns a UsageError into exit 2. Used by `toolmesh` and `toolmesh-bench`.
 *
 *   const table = new CommandTable("toolmesh", [{ name: "down", synopsis: "down [--timeout S]", usage, flags: { timeout: { type: "string" } },
 *     run: async (args) => { args.none(); return stop(args.seconds("timeout")); } }]);
 *   const found = table.find(process.argv.slice(2));
 *   if (found) process.exitCode = await table.run(found.command, found.rest);
 */
export { CommandArgs } from "./command-args.js";
export type { FlagValues } from "./command-args.js";
export type { CommandSpec, FlagSpec } from "./command-spec.js";
export { CommandTable } from "./command-table.js";
export type { CommandOutput, Parsed } from "./command-table.js";
export { UsageError } from "./errors.js";
