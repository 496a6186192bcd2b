import { posix } from "node:path";
import { z } from "zod";

/**
 * Where a template's codebase tasks look: a root by name (as the codebase
 * pool knows it) and a path relative to that root. The codebase pool refuses
 * absolute paths and ".." escapes with PERMISSION_DENIED, once per task; a
 * template checks them once, while it is built, and says what to do instead.
 */

/** What to do about a path the codebase pool would refuse (CLI flag and gRPC parameter both named). */
export const ROOT_HINT =
  'give the root\'s name with --root NAME (template parameter "root") and a path relative to it; configure roots with `toolmesh up --root NAME=DIR`';

/** A root's name as `toolmesh up --root NAME=DIR` and TOOLMESH_CODEBASE_ROOTS accept it. */
const ROOT_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

/** `C:\x`, `C:/x`, `\\server\share`, `\x`: absolute on Windows, never a root-relative path. */
const WINDOWS_ABSOLUTE = /^(?:[A-Za-z]:[\\/]|[\\/]{2}|\\)/;

/**
 * `path` as the codebase tools should get it (normalized: "./apps/" → "apps",
 * "a/../b" → "b"), or why it cannot be one: it is absolute, starts at a home
 * directory, climbs out of the root with "..", or holds a NUL byte.
 */
export function rootRelative(path: string): { path: string } | { problem: string } {
  if (path.includes("\0")) return { problem: "path contains a NUL byte" };
  if (path.startsWith("/") || WINDOWS_ABSOLUTE.test(path)) return { problem: `"${path}" is absolute; ${ROOT_HINT}` };
  if (path === "~" || path.startsWith("~/")) return { problem: `"${path}" is a home-directory path; ${ROOT_HINT}` };
  const normalized = posix.normalize(path).replace(/\/+$/, "") || ".";
  if (normalized === ".." || normalized.startsWith("../")) return { problem: `"${path}" climbs out of the root with ".."; ${ROOT_HINT}` };
  return { path: normalized };
}

/** Why `root` cannot be a root's name, or undefined when it can. */
export function rootNameProblem(root: string): string | undefined {
  if (ROOT_NAME.test(root)) return undefined;
  if (root.includes("/") || root.includes("\\")) {
    return `"${root}" is a directory, not a root name: configure it as a root with \`toolmesh up --root NAME=${root}\` and pass --root NAME (template parameter "root")`;
  }
  return `"${root}" is not a root name: names are letters, digits, ".", "_" or "-", starting with a letter or digit (the NAME of \`toolmesh up --root NAME=DIR\`)`;
}

/** A codebase path parameter: trimmed, root-relative, normalized. */
export function pathParam() {
  return z
    .string()
    .trim()
    .min(1, 'path must not be empty (use "." for the whole root)')
    .max(1024, "path must be at most 1024 characters")
    .transform((value, ctx) => {
      const checked = rootRelative(value);
      if ("path" in checked) return checked.path;
      ctx.addIssue({ code: z.ZodIssueCode.custom, message: checked.problem });
      return z.NEVER;
    });
}

/** A codebase root parameter: the name of a configured root. */
export function rootParam() {
  return z
    .string()
    .trim()
    .min(1, "root must not be empty: name a configured root, or leave it out for the first one")
    .max(256, "root must be at most 256 characters")
    .superRefine((value, ctx) => {
      const problem = rootNameProblem(value);
      if (problem) ctx.addIssue({ code: z.ZodIssueCode.custom, message: problem });
    });
}
