// Types of prune-deps.mjs (plain JavaScript, so the images' dependency stages run it with Node alone).

/** Every workspace directory (relative to root), from package.json's workspaces globs. */
export function workspaces(root: string): string[];

export interface ProductionClosure {
  /** package-lock.json keys of every installed package the service needs, workspace links included. */
  locations: Set<string>;
  /** Their package names. */
  packages: Set<string>;
  /** The workspace directories it uses, its own included. */
  workspaces: Set<string>;
}

/** apps/<service>'s production closure, from root's package-lock.json. */
export function productionClosure(service: string, root: string): ProductionClosure;

/** Removes from root's install whatever apps/<service> does not need; returns the removed lockfile keys. */
export function prune(service: string, root: string): string[];
