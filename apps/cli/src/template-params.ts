import { UsageError, type CommandArgs } from "@toolmesh/command-line";
import type { StackRoot } from "@toolmesh/local";
import { noStackReason, type Connection } from "./connection.js";
import { RootPathError, targetPath, type RootedPath } from "./root-paths.js";

const defined = (params: Record<string, unknown>): Record<string, unknown> =>
  Object.fromEntries(Object.entries(params).filter(([, v]) => v !== undefined));

/**
 * The stack's roots, when the coordinator in use is the running stack's
 * (an --address elsewhere has roots the state file does not know).
 */
function stackRoots(connection: Connection): { roots?: StackRoot[]; reason: string } {
  const state = connection.stack.state;
  if (state && state.grpcAddress === connection.address) return { roots: state.roots, reason: "" };
  if (state) return { reason: `${connection.address} is not the stack recorded in ${connection.stack.path} (${state.grpcAddress})` };
  return { reason: noStackReason(connection) };
}

/** PATH (and --root NAME) as the template's `root` and `path` params. */
function rooted(args: CommandArgs, path: string | undefined, connection: Connection): RootedPath {
  const { roots, reason } = stackRoots(connection);
  try {
    return targetPath({ path, root: args.string("root"), cwd: connection.cwd, roots, noRootsReason: reason });
  } catch (err) {
    if (err instanceof RootPathError) throw new UsageError(err.message);
    throw err;
  }
}

/** A template's parameters from its command line; the coordinator validates them. */
export function templateParams(args: CommandArgs, connection: Connection): Record<string, unknown> {
  const { positionals } = args;
  switch (args.command) {
    case "explore-codebase": {
      if (positionals.length > 1) throw new UsageError("explore-codebase takes one PATH (quote a --question with spaces)");
      const { root, path } = rooted(args, positionals[0] ?? ".", connection);
      return defined({
        root,
        path,
        question: args.string("question"),
        maxFiles: args.wholeNumber("max-files"),
        maxReads: args.wholeNumber("max-reads"),
      });
    }
    case "explore-web":
      if (positionals.length === 0) throw new UsageError("explore-web needs at least one QUERY");
      return defined({
        queries: positionals,
        maxFetch: args.wholeNumber("max-fetch"),
        variants: args.flag("no-variants") ? false : undefined,
      });
    case "think-layers": {
      if (positionals.length === 0) throw new UsageError("think-layers needs a GOAL");
      const { root, path } = rooted(args, args.string("path"), connection);
      return defined({ goal: positionals.join(" "), root, path, useAgents: args.flag("agents") || undefined });
    }
    case "start": {
      if (positionals.length === 0 || positionals.length > 2)
        throw new UsageError("start takes a GOAL and an optional PATH (quote a GOAL with spaces)");
      const { root, path } = rooted(args, positionals[1] ?? args.string("path"), connection);
      return defined({ goal: positionals[0], root, path });
    }
    default:
      throw new Error(`not a template command: ${args.command}`);
  }
}
