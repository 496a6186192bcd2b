/**
 * @toolmesh/local — running toolmesh on one machine: a nats-server with
 * JetStream as a child process (installed with apt-get where possible) and
 * toolmesh services as supervised child processes. Used by `toolmesh up`,
 * the benchmark and the tests.
 *
 *   const nats = await startNatsServer();
 *   const coordinator = await startServiceProcess({ name: "coordinator", script, env: { TOOLMESH_NATS_URL: nats.url } });
 */
export { NatsServerMissingError, ensureNatsServer, findNatsServer } from "./install.js";
export { NatsServerNotFoundError, startNatsServer } from "./nats-server.js";
export type { NatsServerHandle, StartNatsOptions } from "./nats-server.js";
export { WORKER_NODE_ARGS, startServiceProcess, stopChild } from "./service-process.js";
export type { ServiceProcess, StartServiceOptions } from "./service-process.js";
export {
  STACK_STATE_FILE,
  findStack,
  processIsAlive,
  readStackState,
  removeStackState,
  stackStatePath,
  writeStackState,
} from "./stack-state.js";
export type { StackLookup, StackRoot, StackService, StackState } from "./stack-state.js";
export { ServiceStartError, firstErrorLine } from "./service-process.js";
export { cpuTicks, procStat, processMemory, processTree } from "./proc.js";
export type { ProcessMemory } from "./proc.js";
