import { ErrorCode, ToolError } from "@toolmesh/core";
import { realpathSync, statSync } from "node:fs";
import { realpath, stat } from "node:fs/promises";
import { basename, isAbsolute, relative, resolve, sep } from "node:path";
import { fsToolError } from "./errors.js";
import type { CodebaseRoot } from "./types.js";

const ROOT_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

function realDirectory(dirText: string, entry: string): string {
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
 * later containment checks compare real paths. Names must be unique.
 */
export function parseRoots(spec: readonly string[]): CodebaseRoot[] {
  const entries = spec.map((s) => s.trim()).filter((s) => s.length > 0);
  if (entries.length === 0) throw new Error("at least one root directory is required");
  const roots = entries.map((entry) => {
    const eq = entry.indexOf("=");
    const named = eq > 0 && !entry.slice(0, eq).includes("/");
    const name = named ? entry.slice(0, eq) : undefined;
    const dir = realDirectory(named ? entry.slice(eq + 1) : entry, entry);
    // A name from the directory is made valid; an explicit one must already be.
    const finalName = name ?? (basename(dir).replace(/[^A-Za-z0-9._-]/g, "-").replace(/^[^A-Za-z0-9]+/, "") || "root");
    if (!ROOT_NAME.test(finalName)) {
      throw new Error(`root "${entry}": name "${finalName}" must be letters, digits, ".", "_" or "-"; give one with NAME=DIR`);
    }
    return { name: finalName, dir };
  });
  checkUniqueNames(roots);
  return roots;
}

function checkUniqueNames(roots: readonly CodebaseRoot[]): void {
  const seen = new Set<string>();
  for (const root of roots) {
    if (seen.has(root.name)) throw new Error(`two roots are named "${root.name}"; name them apart with NAME=DIR`);
    seen.add(root.name);
  }
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
  if (!root) throw new ToolError(ErrorCode.NOT_FOUND, `no root named "${name}"; roots: ${roots.map((r) => r.name).join(", ")}`);
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
    throw new ToolError(ErrorCode.PERMISSION_DENIED, `"${path}" is absolute; give a path relative to root "${root.name}"`);
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
