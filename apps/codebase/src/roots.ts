import { ErrorCode, ToolError } from "@toolmesh/core";
import { realpathSync, statSync } from "node:fs";
import { realpath } from "node:fs/promises";
import { basename, isAbsolute, normalize, relative, resolve, sep } from "node:path";

/** A directory the codebase pool may read; `dir` is absolute and realpath'd. */
export interface CodebaseRoot {
  name: string;
  dir: string;
}

/** Parses "DIR" or "NAME=DIR" entries; each DIR must be an existing directory. */
export function parseRoots(spec: readonly string[]): CodebaseRoot[] {
  if (spec.length === 0) throw new Error("at least one root directory is required");
  const roots = spec.map((entry) => {
    const eq = entry.indexOf("=");
    const dirText = eq > 0 ? entry.slice(eq + 1) : entry;
    let dir: string;
    try {
      dir = realpathSync(resolve(dirText));
    } catch {
      throw new Error(`root "${dirText}" does not exist`);
    }
    if (!statSync(dir).isDirectory()) throw new Error(`root "${dirText}" is not a directory`);
    return { name: eq > 0 ? entry.slice(0, eq) : basename(dir) || "root", dir };
  });
  const names = new Set<string>();
  for (const root of roots) {
    if (names.has(root.name)) throw new Error(`two roots are named "${root.name}"; name them with NAME=DIR`);
    names.add(root.name);
  }
  return roots;
}

export function pickRoot(roots: readonly CodebaseRoot[], name: string | undefined): CodebaseRoot {
  if (name === undefined) return roots[0]!;
  const root = roots.find((r) => r.name === name);
  if (!root) throw new ToolError(ErrorCode.NOT_FOUND, `no root named "${name}"; roots: ${roots.map((r) => r.name).join(", ")}`);
  return root;
}

export function isInside(dir: string, path: string): boolean {
  return path === dir || path.startsWith(dir.endsWith(sep) ? dir : dir + sep);
}

/** A path under a root: absolute (real) and relative with POSIX separators. */
export interface RootPath {
  abs: string;
  rel: string;
}

/**
 * Resolves `path` (relative to the root) and refuses anything that leaves it:
 * absolute paths, `..` that climbs out, and symlinks whose target is outside.
 * The returned `abs` is the real path, so later opens cannot be redirected.
 */
export async function resolveInRoot(root: CodebaseRoot, path: string): Promise<RootPath> {
  if (isAbsolute(path)) {
    throw new ToolError(ErrorCode.PERMISSION_DENIED, `"${path}" is absolute; give a path relative to root "${root.name}"`);
  }
  const lexical = resolve(root.dir, normalize(path));
  if (!isInside(root.dir, lexical)) {
    throw new ToolError(ErrorCode.PERMISSION_DENIED, `"${path}" is outside root "${root.name}"`);
  }
  let real: string;
  try {
    real = await realpath(lexical);
  } catch {
    throw new ToolError(ErrorCode.NOT_FOUND, `"${path}" does not exist in root "${root.name}"`);
  }
  if (!isInside(root.dir, real)) {
    throw new ToolError(ErrorCode.PERMISSION_DENIED, `"${path}" is a symlink that leads outside root "${root.name}"`);
  }
  return { abs: real, rel: toPosix(relative(root.dir, lexical)) || "." };
}

export function toPosix(path: string): string {
  return sep === "/" ? path : path.split(sep).join("/");
}
