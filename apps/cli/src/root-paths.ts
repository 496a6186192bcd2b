import type { StackRoot } from "@toolmesh/local";
import { realpathSync } from "node:fs";
import { isAbsolute, relative, resolve, sep } from "node:path";

/** A path as the codebase tools take it: relative to a root (the first one when `root` is unset). */
export interface RootedPath {
  root?: string;
  path?: string;
}

/** A PATH the stack cannot reach, or a root it does not have; one line that says what to do. */
export class RootPathError extends Error {
  override readonly name = "RootPathError";
}

const ADD_ROOT = "add one with `npx toolmesh up --root NAME=DIR`";

/** "a (/srv/a), b (/srv/b)". */
function listRoots(roots: readonly StackRoot[]): string {
  return roots.map((r) => `${r.name} (${r.dir})`).join(", ");
}

/** `target` relative to `dir`, or undefined when it lies outside ("." for `dir` itself). */
function inside(dir: string, target: string): string | undefined {
  const rel = relative(dir, target);
  if (rel === "") return ".";
  if (rel === ".." || rel.startsWith(`..${sep}`) || isAbsolute(rel)) return undefined;
  return rel.split(sep).join("/");
}

function real(path: string): string {
  try {
    return realpathSync(path);
  } catch {
    return path;
  }
}

/** The deepest root that contains the absolute path `target`, and the path inside it. */
export function rootOf(target: string, roots: readonly StackRoot[]): { root: string; path: string } | undefined {
  const match = (resolveLinks: boolean): { root: string; path: string } | undefined => {
    let best: { root: string; path: string; depth: number } | undefined;
    for (const root of roots) {
      const dir = resolveLinks ? real(resolve(root.dir)) : resolve(root.dir);
      const path = inside(dir, resolveLinks ? real(target) : target);
      if (path !== undefined && (!best || dir.length > best.depth)) best = { root: root.name, path, depth: dir.length };
    }
    return best && { root: best.root, path: best.path };
  };
  // Symlinks only when the plain paths do not match (/tmp → /private/tmp and the like).
  return match(false) ?? match(true);
}

export interface TargetRequest {
  /** PATH as typed, if any. */
  path: string | undefined;
  /** --root NAME, if given. */
  root: string | undefined;
  cwd: string;
  /** The running stack's roots; undefined when no stack state describes the coordinator in use. */
  roots: readonly StackRoot[] | undefined;
  /** Why there are no roots to map with (shown when they are needed). */
  noRootsReason?: string;
}

/**
 * Where a template's PATH points, as `{ root, path }`. A relative PATH that
 * stays inside the current directory is passed on as it is (relative to the
 * first root, or to --root NAME). An absolute one, or one that leaves the
 * current directory, is mapped through the stack's roots: the deepest root
 * that contains it wins.
 */
export function targetPath(request: TargetRequest): RootedPath {
  const { path, root, roots } = request;
  if (root !== undefined && roots && !roots.some((r) => r.name === root)) {
    throw new RootPathError(`the stack has no root named "${root}"; its roots: ${listRoots(roots)}; ${ADD_ROOT}`);
  }
  if (path === undefined) return root === undefined ? {} : { root };
  const absolute = resolve(request.cwd, path);
  const local = !isAbsolute(path) && inside(resolve(request.cwd), absolute) !== undefined;
  if (local) return root === undefined ? { path } : { root, path };
  if (!roots) {
    throw new RootPathError(
      `cannot map ${path} to a root of the stack: ${request.noRootsReason ?? "its roots are unknown"}; give a path relative to the first root, or --root NAME with a path inside it`,
    );
  }
  if (root !== undefined) {
    const dir = roots.find((r) => r.name === root)!.dir;
    const sub = inside(resolve(dir), absolute) ?? inside(real(resolve(dir)), real(absolute));
    if (sub === undefined) throw new RootPathError(`${path} is not inside root ${root} (${dir}); the stack's roots: ${listRoots(roots)}`);
    return { root, path: sub };
  }
  const found = rootOf(absolute, roots);
  if (!found) {
    throw new RootPathError(`${path} is inside none of the stack's roots: ${roots.length ? listRoots(roots) : "(none)"}; ${ADD_ROOT}`);
  }
  return found;
}
