/**
 * @toolmesh/client — a promise-based client of the Coordinator gRPC API,
 * used by the CLI, the benchmark and the tests.
 *
 *   const client = new ToolmeshClient("127.0.0.1:50051");
 *   const wf = await client.run({ name: "x", tasks: [...], defaultTimeoutMs: 0 });
 */
export { ToolmeshClient } from "./client.js";
export type { ClientOptions, ToolInfo, ToolmeshCallError } from "./client.js";
export { ToolCallSession } from "./session.js";
export { TERMINAL_TASK_EVENTS, finalReportTask } from "./workflow-views.js";
