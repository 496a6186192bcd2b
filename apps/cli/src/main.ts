import { ConfigError } from "@toolmesh/core";
import { UsageError, parseCommand, type CommandSpec } from "./command-line.js";
import { commandUsage, findCommand, overview } from "./command-table.js";

/**
 * `toolmesh COMMAND ...`: each command parses its own flags (see
 * command-table.ts); a flag it does not take is an error (exit 2) followed
 * by its usage; `toolmesh COMMAND --help` prints that usage.
 */
async function main(argv: string[]): Promise<number> {
  const [first] = argv;
  if (first === undefined) {
    process.stderr.write(overview());
    return 2;
  }
  if (first === "--help" || first === "-h") {
    process.stdout.write(overview());
    return 0;
  }
  if (first === "help") {
    const found = findCommand(argv.slice(1));
    process.stdout.write(found ? commandUsage(found.spec) : overview());
    return 0;
  }
  const found = findCommand(argv);
  if (!found) {
    process.stderr.write(`error: unknown command "${first}"\n\n${overview()}`);
    return 2;
  }
  return runCommand(found.spec, found.rest);
}

async function runCommand(spec: CommandSpec, rest: string[]): Promise<number> {
  try {
    const parsed = parseCommand(spec, rest);
    if (parsed.help) {
      process.stdout.write(commandUsage(spec));
      return 0;
    }
    return await spec.run(parsed.args);
  } catch (err) {
    // A bad TLS file or variable (checked before any call): say which, without the whole usage.
    if (err instanceof ConfigError) {
      process.stderr.write(`error: ${err.problems.join("\n  ")}\n`);
      return 2;
    }
    if (!(err instanceof UsageError)) throw err;
    process.stderr.write(`error: ${err.message}\n\n${commandUsage(spec)}`);
    return 2;
  }
}

process.exitCode = await main(process.argv.slice(2));
