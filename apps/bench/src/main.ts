import { BENCH } from "./commands.js";

/**
 * `toolmesh-bench [SUBCOMMAND] ...` (`npm run bench`, `bench:explore`,
 * `bench:adaptive`, `bench:mcp`): each benchmark parses its own flags; one it
 * does not take is exit 2 followed by its usage.
 */
async function main(argv: string[]): Promise<number> {
  // The default benchmark (named "") takes any command line no subcommand names.
  const { command, rest } = BENCH.find(argv)!;
  return BENCH.run(command, rest);
}

process.exitCode = await main(process.argv.slice(2));
