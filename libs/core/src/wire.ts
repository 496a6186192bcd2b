import type { ToolErrorShape } from "./errors.js";

/**
 * Messages on the buses. They are JSON: small, debuggable with `nats sub`, and
 * readable by any language. gRPC is for clients; NATS payloads are internal.
 */

/** Dispatched on tm.data.task.<pool>; one per attempt. */
export interface TaskMessage {
  workflowId: string;
  taskId: string;
  tool: string;
  args: Record<string, unknown>;
  attempt: number;
  /** Epoch ms after which the result is no longer wanted. */
  deadlineMs: number;
  /**
   * No events for this task (a CallTool whose caller just waits for the
   * reply): saves the stored task.started/progress writes on the hot path.
   */
  quiet?: boolean;
  /**
   * A quiet call's: the subject (Subjects.quietResult) its result goes to as a
   * core message, instead of TM_RESULTS; nothing stores it, the dispatching
   * coordinator waits for it in memory.
   */
  replyTo?: string;
  /**
   * Set when the coordinator parsed `args` with the tool's schema just
   * before sending them: that schema's fingerprint (argsFingerprint). A
   * worker with the same schema does not parse them again.
   */
  argsSchema?: string;
  /**
   * agent.run only: a secret the coordinator minted for this attempt. The
   * agent puts it in the ParentRef of the workflows it starts; the
   * coordinator refuses a ParentRef without it.
   */
  capability?: string;
  /** Proves a result comes from the holder of this attempt: the worker echoes it (docs/architecture.md "Results only from the holder of the attempt"). */
  attemptToken?: string;
}

/** Published on tm.data.result.<workflowId> before the task is acked. */
export interface ResultMessage {
  workflowId: string;
  taskId: string;
  attempt: number;
  worker: string;
  startedAtMs: number;
  finishedAtMs: number;
  output?: Record<string, unknown>;
  /** Set instead of `output` when the output was too large for a message: its object in TM_OUTPUTS. */
  outputRef?: { name: string; bytes: number };
  error?: ToolErrorShape;
  /** The pool that ran the attempt and the attempt's token from its task message; a result without them is dropped. */
  pool?: string;
  attemptToken?: string;
  /**
   * A quiet call's result: the ack subject of the task message it answers.
   * The coordinator acks the task when the result reached it, so a result
   * lost on the way (a core message) brings the attempt back to a worker,
   * whose ledger answers it again.
   */
  ackTo?: string;
}

export type EventKind =
  | "workflow.started"
  | "task.queued"
  | "task.started"
  | "task.progress"
  | "task.retrying"
  | "task.succeeded"
  | "task.failed"
  | "task.cancelled"
  | "workflow.succeeded"
  | "workflow.failed"
  | "workflow.cancelled";

/** Published on tm.evt.<workflowId>.<kind> into the TM_EVENTS stream. */
export interface EventMessage {
  kind: EventKind;
  workflowId: string;
  timeMs: number;
  taskId?: string;
  tool?: string;
  pool?: string;
  attempt?: number;
  message?: string;
  worker?: string;
  durationMs?: number;
  progress?: Record<string, unknown>;
  /** The task's stage label (a template's layer). */
  stage?: string;
  /** On events of a sub-agent's workflow, also published in its ancestors' streams. */
  parentWorkflowId?: string;
  parentTaskId?: string;
  depth?: number;
}

export const TERMINAL_WORKFLOW_EVENTS: ReadonlySet<EventKind> = new Set<EventKind>([
  "workflow.succeeded",
  "workflow.failed",
  "workflow.cancelled",
]);

/** Broadcast on tm.cmd.cancel. */
export interface CancelCommand {
  workflowId: string;
  /** Absent: every task of the workflow. */
  taskId?: string;
  reason: string;
}

export interface SetLimitCommand {
  /** Pins the limit (adaptive concurrency pauses on that instance). */
  limit: number;
  /** true: resume adaptive concurrency from the current limit (limit is ignored). */
  adaptive?: boolean;
}

export interface CommandReply {
  instanceId: string;
  service: string;
  pool?: string;
  ok: boolean;
  detail?: string;
}

/** Published on tm.metrics.<service>.<instanceId> every interval. */
export interface MetricsSnapshot {
  service: string;
  instanceId: string;
  pool?: string;
  tools: string[];
  timeMs: number;
  limit: number;
  minLimit: number;
  maxLimit: number;
  inFlight: number;
  completed: number;
  failed: number;
  /** Task latency percentiles over the last interval, ms. */
  p50Ms: number;
  p99Ms: number;
  cpuPercent: number;
  rssBytes: number;
  draining: boolean;
  /** The adaptive limit's progressive level: initial, moderate, aggressive or maximum. */
  level?: string;
  /** Calls finished per second over the interval. */
  throughput?: number;
  /** Mean task duration over the interval, ms (0 when none finished). */
  meanMs?: number;
  /** Failed / finished calls over the interval. */
  errorRate?: number;
  /** Mean quality score tools reported for the interval's successful calls (1 when none reported). */
  quality?: number;
  /** Mean in-flight / limit over the interval, 0..1. */
  saturation?: number;
  /** Resident memory / the memory limit (the cgroup's where there is one, else the process's V8 heap limit). */
  memoryFraction?: number;
  /** The instance's pulls came back full: work is waiting for this pool. */
  backlog?: boolean;
}

/** Published on tm.evt.pool.<pool>.limit (stored in TM_EVENTS): an instance's limit changed, and why. */
export interface LimitChangeEvent {
  kind: "pool.limit";
  pool: string;
  instanceId: string;
  timeMs: number;
  limit: number;
  previousLimit: number;
  level: string;
  previousLevel: string;
  reason: string;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

export function encodeJson(value: unknown): Uint8Array {
  return encoder.encode(JSON.stringify(value));
}

export function decodeJson<T>(data: Uint8Array): T {
  return JSON.parse(decoder.decode(data)) as T;
}

/** Published on tm.evt.pool.<pool>.scale: the autoscaler's decision for a pool, and why. */
export interface ScaleEvent {
  kind: "pool.scale";
  pool: string;
  timeMs: number;
  /** Replicas before and after (equal when the decision was to hold). */
  previousReplicas: number;
  replicas: number;
  /** What the load called for before bounds, caps and stabilisation. */
  desiredReplicas: number;
  reason: string;
  backend: string;
}
