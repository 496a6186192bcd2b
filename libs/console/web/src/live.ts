import type { ConsoleEvent, TaskRow, TaskStateName, WorkflowStateName, WorkflowView } from "./api.js";

export interface LiveTask extends TaskRow {
  workflowId: string;
  /** Attempts that failed and were retried, from the event stream. */
  attempts: Array<{ attempt: number; message: string; timeMs: number }>;
  /** Live output (bash.exec's stdout/stderr), the last 64 KiB. */
  log: string;
}

/** A workflow as the page keeps it: the API's view (its trace aside), with its tasks live by id and its children by id. */
export interface LiveWorkflow extends Omit<WorkflowView, "traceId" | "tasks" | "children"> {
  tasks: Map<string, LiveTask>;
  children: string[];
}

const TASK_EVENT_STATE: Record<string, TaskStateName> = {
  task_queued: "queued",
  task_started: "running",
  task_retrying: "queued",
  task_succeeded: "succeeded",
  task_failed: "failed",
  task_cancelled: "cancelled",
};
const WORKFLOW_EVENT_STATE: Record<string, WorkflowStateName> = {
  workflow_succeeded: "succeeded",
  workflow_failed: "failed",
  workflow_cancelled: "cancelled",
};
const RANK: Record<TaskStateName, number> = { unknown: 0, pending: 0, queued: 1, running: 2, succeeded: 3, failed: 3, cancelled: 3 };
const LOG_LIMIT = 64 * 1024;

/** A fan-out item's id is `<task>[<n>]`: its group and index. */
export function itemOf(taskId: string): { group: string; index: number } | undefined {
  const m = /^(.*)\[(\d+)\]$/.exec(taskId);
  return m ? { group: m[1]!, index: Number(m[2]) } : undefined;
}

/**
 * One workflow and its sub-agents' workflows as the page shows them: loaded
 * from the API, then moved on by WatchWorkflow's events. The stream replays
 * from the first event, so an event never moves a task back (a lower
 * attempt, or an earlier state of the same attempt, is old news).
 */
export class LiveStore {
  readonly workflows = new Map<string, LiveWorkflow>();
  /** Bumped on every change: the page redraws on it. */
  version = 0;
  /** Bumped when tasks or workflows appear: the graph is laid out again only then. */
  shape = 0;

  constructor(readonly rootId: string) {}

  get root(): LiveWorkflow | undefined {
    return this.workflows.get(this.rootId);
  }

  load(view: WorkflowView): void {
    const known = this.workflows.get(view.id);
    const tasks = new Map<string, LiveTask>();
    for (const t of view.tasks) {
      const old = known?.tasks.get(t.id);
      tasks.set(t.id, { ...t, workflowId: view.id, attempts: old?.attempts ?? [], log: old?.log ?? "" });
    }
    this.workflows.set(view.id, {
      id: view.id,
      name: view.name,
      state: view.state,
      createdAtMs: view.createdAtMs,
      finishedAtMs: view.finishedAtMs,
      error: view.error,
      ...(view.parent ? { parent: view.parent } : {}),
      tasks,
      children: view.children.map((c) => c.id),
    });
    for (const child of view.children) this.load(child);
    this.version++;
    this.shape++;
  }

  /** Applies a batch of events; true when a workflow appeared that the page should load. */
  apply(events: readonly ConsoleEvent[]): boolean {
    let unknownWorkflow = false;
    for (const e of events) {
      let wf = this.workflows.get(e.workflowId);
      if (!wf) {
        unknownWorkflow = true;
        wf = {
          id: e.workflowId,
          name: "sub-agent",
          state: "running",
          createdAtMs: e.timeMs,
          finishedAtMs: 0,
          error: "",
          tasks: new Map(),
          children: [],
        };
        if (e.parentWorkflowId) {
          wf.parent = { workflowId: e.parentWorkflowId, taskId: e.parentTaskId };
          this.workflows.get(e.parentWorkflowId)?.children.push(e.workflowId);
        }
        this.workflows.set(e.workflowId, wf);
        this.shape++;
      }
      const wfState = WORKFLOW_EVENT_STATE[e.type];
      if (wfState) {
        wf.state = wfState;
        wf.finishedAtMs = e.timeMs;
        if (wfState !== "succeeded" && e.message) wf.error = e.message;
      }
      if (e.taskId) this.#applyTask(wf, e);
    }
    this.version++;
    return unknownWorkflow;
  }

  #applyTask(wf: LiveWorkflow, e: ConsoleEvent): void {
    let task = wf.tasks.get(e.taskId);
    if (!task) {
      task = {
        id: e.taskId,
        tool: e.tool,
        pool: e.pool,
        state: "pending",
        attempt: 0,
        startedAtMs: 0,
        finishedAtMs: 0,
        worker: "",
        dependsOn: [],
        sharedFrom: "",
        stage: "",
        workflowId: wf.id,
        attempts: [],
        log: "",
      };
      wf.tasks.set(e.taskId, task);
      this.shape++;
    }
    if (e.type === "task_output" && e.output) {
      task.log = (task.log + e.output).slice(-LOG_LIMIT);
      return;
    }
    const state = TASK_EVENT_STATE[e.type];
    if (!state) return;
    if (e.type === "task_retrying" && !task.attempts.some((a) => a.attempt === e.attempt)) {
      task.attempts.push({ attempt: e.attempt, message: e.message, timeMs: e.timeMs });
    }
    const newer = e.attempt > task.attempt || (e.attempt === task.attempt && RANK[state] >= RANK[task.state]);
    if (!newer) return;
    task.state = state;
    task.attempt = e.attempt;
    if (e.worker) task.worker = e.worker;
    if (state === "running") task.startedAtMs = e.timeMs;
    if (RANK[state] === 3) task.finishedAtMs = e.timeMs;
    if (state === "failed" || state === "cancelled") task.error = { code: state === "cancelled" ? "CANCELLED" : "", message: e.message };
  }
}
