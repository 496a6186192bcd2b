/**
 * The worker's parts, for this package's own tests: not the public API
 * (that is index.ts), so apps must not import from here.
 */
export { Backoff, PullLoop } from "./pull-loop.js";
export type { PullLoopOptions, PullSource } from "./pull-loop.js";
export { encodeReply, handleCancel, handlePing, handleSetLimit } from "./worker-commands.js";
export type { CommandReplyBody, CommandTarget } from "./worker-commands.js";
export { buildSnapshot } from "./worker-snapshot.js";
export type { SnapshotInput } from "./worker-snapshot.js";
export { POOL_MAX_DELIVER, WORKER_BOUNDS } from "./worker-options.js";
export { RunningTasks } from "./cancellations.js";
