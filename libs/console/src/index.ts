/**
 * @toolmesh/console — toolmesh's web console: workflows listed and drawn
 * live, task details and outputs, cancel, the pools as `toolmesh top` sees
 * them, templates started from a form. The HTTP gateway serves it under
 * /console (`toolmesh up` in its own process, or the mcp-gateway service),
 * behind the gateway's token and Origin check.
 *
 *   const console = new ConsoleServer({ client, token, allowedOrigins: [], pools: new PoolWatch(nc, { staleMs: 5000 }).start(), log });
 *   const gateway = await startGateway({ ..., console });
 *   const link = `${gateway.consoleUrl}login?code=${console.guard.issueLoginCode()}`;
 */
export { ConsoleServer } from "./console.js";
export type { ConsoleOptions } from "./console.js";
export { ConsoleGuard, LOGIN_CODE_TTL_MS, SESSION_COOKIE, mintLoginCode } from "./guard.js";
export { consoleAssetsDir } from "./static-files.js";
export type * from "./api-types.js";
