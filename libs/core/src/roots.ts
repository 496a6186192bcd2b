import { realpathSync, statSync } from "node:fs";
import { basename, resolve } from "node:path";

/** A codebase root: the name tools take as `root`, and its real directory. */
export interface RootSpec {
  name: string;
  dir: string;
}

export const ROOT_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

/** `dirText` resolved (from the working directory) and realpath'd; it must be a directory. */
export function realDirectory(dirText: string, entry: string): string {
  let dir: string;
  try {
    dir = realpathSync(resolve(dirText));
  } catch {
    throw new Error(`root "${entry}": directory "${dirText}" does not exist`);
  }
  if (!statSync(dir).isDirectory()) throw new Error(`root "${entry}": "${dirText}" is not a directory`);
  return dir;
}

/**
 * Parses root specs, "DIR" or "NAME=DIR" (a "=" after a "/" belongs to the
 * directory). Each DIR must be an existing directory; it is realpath'd so
 * later containment checks compare real paths. Names must be unique; a root
 * without one is named after its directory. Shared by the codebase pool and
 * `toolmesh up`, so both name the same roots alike.
 */
export function parseRootSpecs(spec: readonly string[]): RootSpec[] {
  const entries = spec.map((s) => s.trim()).filter((s) => s.length > 0);
  if (entries.length === 0) throw new Error("at least one root directory is required");
  const roots = entries.map((entry) => {
    const eq = entry.indexOf("=");
    const named = eq > 0 && !entry.slice(0, eq).includes("/");
    const name = named ? entry.slice(0, eq) : undefined;
    const dir = realDirectory(named ? entry.slice(eq + 1) : entry, entry);
    // A name from the directory is made valid; an explicit one must already be.
    const finalName =
      name ??
      (basename(dir)
        .replace(/[^A-Za-z0-9._-]/g, "-")
        .replace(/^[^A-Za-z0-9]+/, "") ||
        "root");
    if (!ROOT_NAME.test(finalName)) {
      throw new Error(`root "${entry}": name "${finalName}" must be letters, digits, ".", "_" or "-"; give one with NAME=DIR`);
    }
    return { name: finalName, dir };
  });
  checkUniqueRootNames(roots);
  return roots;
}

export function checkUniqueRootNames(roots: readonly RootSpec[]): void {
  const seen = new Set<string>();
  for (const root of roots) {
    if (seen.has(root.name)) throw new Error(`two roots are named "${root.name}"; name them apart with NAME=DIR`);
    seen.add(root.name);
  }
}
