/**
 * @toolmesh/bash — the bash pool's bash.exec as a library (main.ts wires it
 * to the worker runtime): commands in a bubblewrap sandbox with no network,
 * only the system trees and part of /etc mounted (read-only), an
 * unprivileged uid, no nested user namespaces, and a size-capped /tmp and
 * workspace (one per workflow, or per call) as the only writable places,
 * under time, idle, output, memory and process limits.
 *
 *   const tools = await createBashTools(loadConfig("bash", bashConfigSchema));
 *   await tools["bash.exec"]({ command: "ls" }, ctx); // ctx.workflowId picks the workspace
 *   await tools.close(); // removes the workflows' workspaces
 */
export { bashConfigSchema } from "./config.js";
export type { BashConfig } from "./config.js";
export type { ExecResult } from "./exec.js";
export { createBashTools } from "./tools.js";
export type { BashTools } from "./tools.js";
