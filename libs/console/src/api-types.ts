// The console's JSON API, shared by the server (views.ts) and the page (web/): types only.

export type WorkflowStateName = "running" | "succeeded" | "failed" | "cancelled" | "unknown";
export type TaskStateName = "pending" | "queued" | "running" | "succeeded" | "failed" | "cancelled" | "unknown";

export interface WorkflowRow {
  id: string;
  name: string;
  state: WorkflowStateName;
  createdAtMs: number;
  /** 0 while it runs. */
  finishedAtMs: number;
  tasks: number;
  done: number;
  failed: number;
}

export interface TaskRow {
  id: string;
  tool: string;
  pool: string;
  state: TaskStateName;
  attempt: number;
  error?: { code: string; message: string };
  startedAtMs: number;
  finishedAtMs: number;
  worker: string;
  dependsOn: string[];
  sharedFrom: string;
  stage: string;
}

export interface WorkflowView {
  id: string;
  name: string;
  state: WorkflowStateName;
  createdAtMs: number;
  finishedAtMs: number;
  error: string;
  parent?: { workflowId: string; taskId: string };
  /** The workflow's OpenTelemetry trace, which every task's spans are in; "" when not traced. */
  traceId: string;
  tasks: TaskRow[];
  /** Sub-agents' workflows, each under the agent.run task named by its parent. */
  children: WorkflowView[];
}

export interface TaskDetails extends TaskRow {
  workflowId: string;
  /** The workflow's trace (a task's spans are in it); "" when not traced. */
  traceId: string;
  args: unknown;
  /** The output when it is small enough to be in GetWorkflow; else undefined and outputBytes says how big it is. */
  output: unknown;
  /** Set when the output lives in the object store: page it with /output. */
  outputBytes?: number;
}

export interface OutputPage {
  /** The output as indented JSON, from offset, at most limit characters. */
  text: string;
  offset: number;
  total: number;
  /** Undefined on the last page. */
  nextOffset?: number;
}

/** One WorkflowWatch event, trimmed to what the page draws. */
export interface ConsoleEvent {
  workflowId: string;
  sequence: number;
  timeMs: number;
  type: string;
  taskId: string;
  tool: string;
  pool: string;
  attempt: number;
  message: string;
  worker: string;
  durationMs: number;
  parentWorkflowId: string;
  parentTaskId: string;
  output?: string;
}

export interface PoolSample {
  timeMs: number;
  throughput: number;
  p50Ms: number;
  p99Ms: number;
  inFlight: number;
  limit: number;
  queue: number;
  errorRate: number;
  replicas: number;
}

export interface PoolsView {
  /** False when the console has no NATS connection (the pools page needs the metrics bus). */
  available: boolean;
  timeMs: number;
  rows: Array<{
    pool: string;
    replicas: number;
    level: string;
    limit: number;
    inFlight: number;
    queue: number | null;
    throughput: number;
    p50Ms: number;
    p99Ms: number;
    errorRate: number;
    quality: number;
    cpuPercent: number;
    memoryFraction: number;
    alerts: string[];
  }>;
  history: Record<string, PoolSample[]>;
  changes: Array<{ timeMs: number; pool: string; kind: "limit" | "replicas"; from: number; to: number; reason: string; who: string }>;
}

export interface TemplateInfo {
  name: string;
  /** Example parameters the form starts from. */
  example: Record<string, unknown>;
}
