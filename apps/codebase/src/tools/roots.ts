import { ErrorCode, ToolError, checkUniqueRootNames as checkUniqueNames, parseRootSpecs, realDirectory } from "@toolmesh/core";
import { realpath, stat } from "node:fs/promises";
import { isAbsolute, relative, resolve, sep } from "node:path";
import { fsToolError } from "./errors.js";
import type { CodebaseRoot } from "./types.js";

/** Parses "DIR" or "NAME=DIR" root specs (see parseRootSpecs in @toolmesh/core). */
export function parseRoots(spec: readonly string[]): CodebaseRoot[] {
  return parseRootSpecs(spec);
}

/** Roots handed to createCodebaseTools directly: realpath'd again, since containment relies on it. */
export function normalizeRoots(roots: readonly CodebaseRoot[]): CodebaseRoot[] {
  if (roots.length === 0) throw new Error("at least one root directory is required");
  const out = roots.map((r) => ({ name: r.name, dir: realDirectory(r.dir, r.name) }));
  checkUniqueNames(out);
  return out;
}

export function pickRoot(roots: readonly CodebaseRoot[], name: string | undefined): CodebaseRoot {
  if (name === undefined) return roots[0]!;
  const root = roots.find((r) => r.name === name);
  if (!root)
    throw new ToolError(
      ErrorCode.NOT_FOUND,
      `no root named "${name}"; roots: ${roots.map((r) => r.name).join(", ")} (configure more with toolmesh up --root NAME=DIR)`,
    );
  return root;
}

export function isInside(dir: string, path: string): boolean {
  return path === dir || path.startsWith(dir.endsWith(sep) ? dir : dir + sep);
}

export function toPosix(path: string): string {
  return sep === "/" ? path : path.split(sep).join("/");
}

/** A path under a root after every check. */
export interface RootPath {
  /** Real absolute path: symlinks resolved, so opening it cannot be redirected. */
  abs: string;
  /** `abs` relative to the root, POSIX separators; "" for the root itself. */
  rel: string;
  /** The path as asked for, normalized ("." for the root). */
  requested: string;
  kind: "file" | "dir" | "other";
  size: number;
}

/**
 * Resolves `path` (relative to the root) and refuses anything that leaves it:
 * absolute paths, ".." that climbs out, and symlinks whose target is outside.
 */
export async function resolveInRoot(root: CodebaseRoot, path: string): Promise<RootPath> {
  if (path.includes("\0")) throw new ToolError(ErrorCode.INVALID_ARGUMENT, "path contains a NUL byte");
  if (isAbsolute(path)) {
    throw new ToolError(
      ErrorCode.PERMISSION_DENIED,
      `"${path}" is absolute; give a path relative to root "${root.name}" (another directory: configure it as a root with toolmesh up --root NAME=DIR and pass root NAME)`,
    );
  }
  const lexical = resolve(root.dir, path);
  if (!isInside(root.dir, lexical)) {
    throw new ToolError(ErrorCode.PERMISSION_DENIED, `"${path}" is outside root "${root.name}"; paths may not climb out with ".."`);
  }
  const requested = toPosix(relative(root.dir, lexical)) || ".";
  let real: string;
  try {
    real = await realpath(lexical);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === "ELOOP") throw new ToolError(ErrorCode.INVALID_ARGUMENT, `"${path}" is a symlink loop`);
    if (code === "EACCES") throw new ToolError(ErrorCode.PERMISSION_DENIED, `"${path}" is not accessible in root "${root.name}"`);
    throw new ToolError(ErrorCode.NOT_FOUND, `"${requested}" does not exist in root "${root.name}"`);
  }
  if (!isInside(root.dir, real)) {
    throw new ToolError(ErrorCode.PERMISSION_DENIED, `"${path}" is a symlink that leads outside root "${root.name}"`);
  }
  const info = await stat(real).catch((err: unknown) => {
    throw fsToolError(err, `"${requested}"`);
  });
  const kind = info.isFile() ? "file" : info.isDirectory() ? "dir" : "other";
  return { abs: real, rel: toPosix(relative(root.dir, real)), requested, kind, size: info.size };
}
