/**
 * @toolmesh/testing — real infrastructure for tests: a nats-server per suite
 * (random port, JetStream in a temp dir, removed after) and helpers to run
 * toolmesh services as real child processes.
 *
 *   const nats = await startTestNats();
 *   afterAll(() => nats.stop());
 */
export { containerRuntimeAvailable, startTestNats } from "./container.js";
export { NatsServerNotFoundError, startNatsServer } from "@toolmesh/local";
export type { NatsServerHandle } from "@toolmesh/local";
export { freePort, waitFor } from "./wait.js";
