/**
 * @toolmesh/bash — the bash pool's bash.exec as a library (main.ts wires it
 * to the worker runtime): commands in a bubblewrap sandbox with no network,
 * a read-only root, an unprivileged uid and the workspace as the only
 * writable place, under time, idle, output, memory and process limits.
 *
 *   const tools = await createBashTools(loadConfig("bash", bashConfigSchema));
 */
export { bashConfigSchema } from "./config.js";
export type { BashConfig } from "./config.js";
export type { ExecResult } from "./exec.js";
export { createBashTools } from "./tools.js";
export type { BashTools } from "./tools.js";
