/**
 * @toolmesh/client — a promise-based client of the Coordinator gRPC API,
 * used by the CLI, the benchmark and the tests.
 *
 *   const client = new ToolmeshClient("127.0.0.1:50051");
 *   // TLS (and mTLS) from TOOLMESH_GRPC_TLS_* , the token from wherever the caller keeps it:
 *   const secure = new ToolmeshClient("coordinator:50051", { token, tls: loadClientTls(clientTlsSettingsFromEnv()) });
 *   const wf = await client.run({ name: "x", tasks: [...], defaultTimeoutMs: 0 });
 */
export { ToolmeshClient } from "./client.js";
export type { ClientOptions, ToolInfo, ToolmeshCallError } from "./client.js";
export { ToolCallSession } from "./session.js";
export { CLIENT_TLS_ENV, clientTlsSettingsFromEnv, isLoopback, loadClientTls, plaintextTokenWarning, targetHost } from "./tls.js";
export type { ClientTlsOptions, ClientTlsSettings } from "./tls.js";
export { explainTransportError, isTlsProblem } from "./transport-errors.js";
export { TERMINAL_TASK_EVENTS, finalReportTask } from "./workflow-views.js";
