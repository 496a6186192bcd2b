/**
 * @toolmesh/testing — real infrastructure for tests: a nats-server per suite
 * (random port, JetStream in a temp dir, removed after), the programs some
 * tests need from the machine, and the run guard that leaves nothing behind
 * (global-setup.ts, bin/leftovers.ts), and a scripted stand-in for an LLM
 * API (FakeLlmServer).
 *
 *   const nats = await startTestNats();
 *   afterAll(() => nats.stop());
 *   const bwrap = systemTool("bwrap", { package: "bubblewrap", purpose: "the bash pool's sandbox" });
 *   it.skipIf(bwrap.skip)("…", () => { bwrap.require(); … });
 */
export { containerRuntimeAvailable, startTestNats } from "./container.js";
export { NatsServerNotFoundError, startNatsServer } from "@toolmesh/local";
export type { NatsServerHandle } from "@toolmesh/local";
export { RUN_MARKER, describeProcesses, isAlive, killProcesses, lineage, runProcesses, runTempDirName } from "./run-guard.js";
export type { RunProcess } from "./run-guard.js";
export { inCi, systemTool } from "./system-tool.js";
export type { SystemTool, SystemToolOptions } from "./system-tool.js";
export { FakeLlmServer } from "./fake-llm-server.js";
export type { FakeReply, RecordedRequest } from "./fake-llm-server.js";
export { freePort, waitFor } from "./wait.js";
