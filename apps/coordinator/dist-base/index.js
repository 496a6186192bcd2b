/**
 * @toolmesh/coordinator — the gRPC front door and workflow engine. Exported
 * so tests and `toolmesh up` can run it in-process; `node dist/main.js` runs
 * it as a service.
 *
 *   const coordinator = await startCoordinator(config, nc, log);
 */
export { coordinatorConfigSchema } from "./config.js";
export { startCoordinator } from "./coordinator.js";
export { WorkflowNotFoundError } from "./workflow/errors.js";
//# sourceMappingURL=index.js.map