import { ConfigError } from "@toolmesh/core";
import { TOOLMESH, overview } from "./command-table.js";
import { runTraced } from "./command-span.js";

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
    const found = TOOLMESH.find(argv.slice(1));
    process.stdout.write(found ? TOOLMESH.usage(found.command) : overview());
    return 0;
  }
  const found = TOOLMESH.find(argv);
  if (!found) {
    process.stderr.write(`error: unknown command "${first}"\n\n${overview()}`);
    return 2;
  }
  try {
    return await runTraced(found.command.name, () => TOOLMESH.run(found.command, found.rest));
  } catch (err) {
    // A bad TLS file or variable, or a bad OTEL_* one (checked before any call): say which, without the whole usage.
    if (!(err instanceof ConfigError)) throw err;
    process.stderr.write(`error: ${err.problems.join("\n  ")}\n`);
    return 2;
  }
}

process.exitCode = await main(process.argv.slice(2));
