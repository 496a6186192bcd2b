/**
 * @toolmesh/runtime — the worker runtime every tool service is built on: it
 * pulls tasks from the pool's JetStream work queue within a run-time
 * adjustable concurrency limit, heartbeats long tasks, honours cancellation,
 * publishes results before acking, and exports metrics and spans.
 *
 *   await runWorkerService({ service: "codebase", pool: "codebase", handlers: () => myHandlers });
 */
export { AdaptiveController, LIMITS_BUCKET } from "./adaptive.js";
export type { AdaptiveOptions } from "./adaptive.js";
export { AttemptLedger, hasSideEffects } from "./attempt-ledger.js";
export type { Claim } from "./attempt-ledger.js";
export type { ToolCallContext, ToolHandler, ToolHandlers } from "./handler.js";
export { LatencyWindow, percentile } from "./latency-window.js";
export { ConcurrencyLimiter } from "./limiter.js";
export { runWorkerService, workerConfigSchema } from "./service.js";
export type { WorkerConfig, WorkerServiceOptions } from "./service.js";
export { ownCgroupDir, unifiedCgroupDir } from "./cgroup.js";
export type { CgroupPaths } from "./cgroup.js";
export { descendantsCpuMs, parseStat } from "./proc-tree.js";
export { ResourceSampler, cpuPercentBetween, memoryFractionOf, systemResources } from "./resources.js";
export type { CpuReading, MemoryReading, ResourceSource } from "./resources.js";
export { WindowRecorder } from "./window-recorder.js";
export type { WindowMeasure } from "./window-recorder.js";
export { startWorker } from "./worker.js";
export type { Worker, WorkerOptions, WorkerState } from "./worker.js";
export { WORKER_DEFAULTS, WorkerOptionsError, compileWorkerOptions } from "./worker-options.js";
export type { CompiledWorkerOptions } from "./worker-options.js";
