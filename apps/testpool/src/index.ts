/**
 * @toolmesh/testpool — the `test` pool's handlers (test.echo, test.sleep,
 * test.fail), for tests that run a worker in-process; `node dist/main.js`
 * (the package's ./main) runs them as the pool's service.
 *
 *   await startWorker({ service: "test", pool: "test", handlers: testHandlers, nc, log, registry });
 */
export { testHandlers } from "./handlers.js";
