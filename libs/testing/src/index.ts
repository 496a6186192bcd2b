/**
 * @toolmesh/testing — real infrastructure for tests: a nats-server per suite
 * (random port, JetStream in a temp dir, removed after) and helpers to run
 * toolmesh services as real child processes.
 *
 *   const nats = await startTestNats();
 *   afterAll(() => nats.stop());
 */
export { containerRuntimeAvailable, startTestNats } from "./container.js";
export { NatsServerNotFoundError, startNatsServer } from "./nats-server.js";
export type { NatsServerHandle } from "./nats-server.js";
export { freePort, waitFor } from "./wait.js";
