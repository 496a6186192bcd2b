import { parseRootSpecs, type RootSpec } from "@toolmesh/core";

/**
 * `up`'s --root values ("DIR" or "NAME=DIR") as the codebase pool will name
 * them, checked now so a typo is one clear error before anything starts
 * instead of a worker that cannot start.
 */
export function parseUpRoots(specs: readonly string[]): RootSpec[] {
  try {
    return parseRootSpecs(specs);
  } catch (err) {
    throw new Error(`--root: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
  }
}

/** The roots as TOOLMESH_CODEBASE_ROOTS, each with its name, so workers and the state file agree. */
export function rootsEnv(roots: readonly RootSpec[]): string {
  return roots.map((root) => `${root.name}=${root.dir}`).join(",");
}
