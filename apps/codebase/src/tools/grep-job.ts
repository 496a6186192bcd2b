import type { PathFilter } from "./globs.js";
import type { RootPath } from "./roots.js";
import type { CodebaseRoot, GrepArgs } from "./types.js";

/** One code.grep call after its arguments and path were checked: what either engine runs. */
export interface GrepJob {
  root: CodebaseRoot;
  start: RootPath;
  args: GrepArgs;
  filter: PathFilter;
}
