import { TERMINAL_TASK_EVENTS, type ToolmeshClient } from "@toolmesh/client";
import { EventType, type Workflow, type WorkflowEvent } from "@toolmesh/proto";
import { FollowCancelled } from "./errors.js";

/** One progress step for notifications/progress: done of total, with what happened. */
export interface ProgressStep {
  progress: number;
  total: number;
  message: string;
}

const TASK_VERB: Partial<Record<EventType, string>> = {
  [EventType.EVENT_TYPE_TASK_STARTED]: "started",
  [EventType.EVENT_TYPE_TASK_PROGRESS]: "progress",
  [EventType.EVENT_TYPE_TASK_RETRYING]: "retrying",
  [EventType.EVENT_TYPE_TASK_SUCCEEDED]: "succeeded",
  [EventType.EVENT_TYPE_TASK_FAILED]: "failed",
  [EventType.EVENT_TYPE_TASK_CANCELLED]: "cancelled",
};

/**
 * Turns a workflow's events into progress: `total` is every task seen so far
 * (a fan-out's members appear as they are queued), `progress` the tasks that
 * finished, so it only grows. The message names the stage (a template's
 * layer) or else the pool, and the task.
 */
export class ProgressCounter {
  readonly #seen = new Set<string>();
  readonly #done = new Set<string>();

  constructor(knownTasks: number) {
    for (let i = 0; i < knownTasks; i++) this.#seen.add(`#${i}`);
  }

  step(event: WorkflowEvent): ProgressStep | undefined {
    const verb = TASK_VERB[event.type];
    if (!event.taskId || event.type === EventType.EVENT_TYPE_TASK_OUTPUT || event.depth > 0) return undefined;
    // The placeholders stand for the spec's tasks until their real ids show up.
    if (!this.#seen.has(event.taskId)) {
      const placeholder = [...this.#seen].find((id) => id.startsWith("#"));
      if (placeholder) this.#seen.delete(placeholder);
      this.#seen.add(event.taskId);
    }
    if (TERMINAL_TASK_EVENTS.has(event.type)) this.#done.add(event.taskId);
    if (!verb) return undefined;
    const where = event.stage || event.pool || "toolmesh";
    const detail = event.message ? `: ${event.message}` : "";
    return {
      progress: this.#done.size,
      total: Math.max(this.#seen.size, this.#done.size),
      message: `${where}: ${event.taskId} (${event.tool}) ${verb}${detail}`,
    };
  }
}

export interface FollowOptions {
  /** The MCP request's signal: aborting it (notifications/cancelled) cancels the workflow in toolmesh. */
  signal?: AbortSignal | undefined;
  onProgress?: ((step: ProgressStep) => void) | undefined;
  /** Tasks in the spec, for the first totals (0: count them as they appear). */
  knownTasks?: number;
}

/**
 * Follows a running workflow to its end (WatchWorkflow), reporting progress,
 * and returns it (GetWorkflow). An abort cancels it in toolmesh
 * (CancelWorkflow) and rejects with FollowCancelled.
 */
export async function followWorkflow(client: ToolmeshClient, workflowId: string, options: FollowOptions = {}): Promise<Workflow> {
  const { signal, onProgress } = options;
  const counter = new ProgressCounter(options.knownTasks ?? 0);
  let cancelling: Promise<unknown> | undefined;
  const cancel = (): void => {
    cancelling ??= client.cancel(workflowId, "cancelled by the MCP client").catch(() => undefined);
  };
  if (signal?.aborted) cancel();
  signal?.addEventListener("abort", cancel, { once: true });
  try {
    if (!signal?.aborted) {
      for await (const event of client.watch(workflowId, signal)) {
        const step = counter.step(event);
        if (step && onProgress) onProgress(step);
      }
    }
  } catch (err) {
    if (!signal?.aborted) throw err;
  } finally {
    signal?.removeEventListener("abort", cancel);
  }
  if (signal?.aborted) {
    await cancelling;
    throw new FollowCancelled(workflowId);
  }
  return client.get(workflowId);
}
