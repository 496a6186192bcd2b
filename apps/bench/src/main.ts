import { UsageError, commandUsage, findCommand, parseCommand } from "./command-line.js";
import { BENCH_COMMANDS } from "./commands.js";

/**
 * `toolmesh-bench [SUBCOMMAND] ...` (`npm run bench`, `bench:explore`,
 * `bench:adaptive`, `bench:mcp`): each benchmark parses its own flags; one it
 * does not take is exit 2 followed by its usage.
 */
async function main(argv: string[]): Promise<number> {
  const { command, rest } = findCommand(BENCH_COMMANDS, argv);
  try {
    const parsed = parseCommand(command, rest);
    if (parsed.help) {
      process.stdout.write(commandUsage(command));
      return 0;
    }
    await command.run(parsed.args);
    return 0;
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    process.stderr.write(`error: ${err.message}\n\n${commandUsage(command)}`);
    return 2;
  }
}

process.exitCode = await main(process.argv.slice(2));
