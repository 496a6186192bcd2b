import { TERMINAL_TASK_EVENTS } from "@toolmesh/client";
import { EventType, type WorkflowEvent } from "@toolmesh/proto";

interface GroupCounts {
  total: number;
  queued: number;
  running: number;
  succeeded: number;
  failed: number;
}

/** A fan-out item ("analyze[17]"): counted, not given a line of its own unless it fails. */
const isItem = (taskId: string): boolean => taskId.endsWith("]");

/**
 * Live progress of one workflow (and its sub-agents' workflows) on a
 * terminal: a line per finished task, and under them one redrawn status
 * line per pool and per stage (a template's layer). On a non-TTY stream only
 * the task lines are written.
 */
export class ProgressView {
  readonly #out: NodeJS.WriteStream;
  readonly #live: boolean;
  readonly #started = Date.now();
  readonly #pools = new Map<string, GroupCounts>();
  readonly #stages = new Map<string, GroupCounts>();
  /** Per task (workflow/task): its last state, and its stage (only the coordinator's events carry it). */
  readonly #taskState = new Map<string, EventType>();
  readonly #taskStage = new Map<string, string>();
  /** First task per failure message: the same error from many tasks (one bad path in a template) is said once. */
  readonly #firstFailure = new Map<string, string>();
  #drawnLines = 0;

  constructor(out: NodeJS.WriteStream = process.stderr) {
    this.#out = out;
    this.#live = Boolean(out.isTTY);
  }

  onEvent(event: WorkflowEvent): void {
    const line = this.#describe(event);
    if (event.taskId && event.pool) this.#count(event);
    this.#clear();
    if (line) this.#out.write(`${line}\n`);
    this.#draw();
  }

  /** Leaves the final status on screen. */
  finish(): void {
    this.#drawnLines = 0;
  }

  #count(event: WorkflowEvent): void {
    const key = `${event.workflowId}/${event.taskId}`;
    if (event.stage) this.#taskStage.set(key, event.stage);
    const stage = this.#taskStage.get(key);
    const groups = [group(this.#pools, event.pool), ...(stage ? [group(this.#stages, stage)] : [])];
    const previous = this.#taskState.get(key);
    if (event.type === EventType.EVENT_TYPE_TASK_PROGRESS || event.type === EventType.EVENT_TYPE_TASK_OUTPUT) return;
    if (previous !== undefined && TERMINAL_TASK_EVENTS.has(previous)) return;
    this.#taskState.set(key, event.type);
    for (const counts of groups) {
      if (previous === undefined) counts.total += 1;
      if (previous === EventType.EVENT_TYPE_TASK_QUEUED) counts.queued -= 1;
      if (previous === EventType.EVENT_TYPE_TASK_STARTED) counts.running -= 1;
      if (event.type === EventType.EVENT_TYPE_TASK_QUEUED) counts.queued += 1;
      else if (event.type === EventType.EVENT_TYPE_TASK_STARTED) counts.running += 1;
      else if (event.type === EventType.EVENT_TYPE_TASK_SUCCEEDED) counts.succeeded += 1;
      else if (TERMINAL_TASK_EVENTS.has(event.type)) counts.failed += 1;
    }
  }

  #describe(event: WorkflowEvent): string | undefined {
    const t = `[${((Date.now() - this.#started) / 1000).toFixed(2).padStart(6)}s]`;
    // Sub-agents' workflows are indented under the task that started them.
    const indent = "  ".repeat(event.depth);
    const who = `${indent}${event.depth ? `${event.parentTaskId} › ` : ""}${event.taskId} (${event.tool})`;
    switch (event.type) {
      case EventType.EVENT_TYPE_WORKFLOW_STARTED:
        return `${t} ${indent}workflow ${event.workflowId} started: ${event.message}`;
      case EventType.EVENT_TYPE_TASK_SUCCEEDED:
        if (isItem(event.taskId)) return undefined;
        return `${t} ✓ ${who} ${event.durationMs.toFixed(0)} ms${event.worker ? ` on ${event.worker}` : ""}${event.message ? ` (${event.message})` : ""}`;
      case EventType.EVENT_TYPE_TASK_FAILED: {
        const first = this.#firstFailure.get(event.message);
        if (first !== undefined) return `${t} ✗ ${who} same error as ${first}`;
        this.#firstFailure.set(event.message, event.taskId);
        return `${t} ✗ ${who} ${event.message}`;
      }
      case EventType.EVENT_TYPE_TASK_CANCELLED:
        return isItem(event.taskId) ? undefined : `${t} ⊘ ${who} cancelled: ${event.message}`;
      case EventType.EVENT_TYPE_TASK_PROGRESS:
        // The coordinator's fan-out notices; workers' progress shows in the counts.
        return event.message ? `${t} … ${who} ${event.message}` : undefined;
      case EventType.EVENT_TYPE_TASK_OUTPUT: {
        const text = event.output
          .replace(/\n$/, "")
          .split("\n")
          .map((line) => `${t}   ${indent}${event.taskId} ${event.outputStream === "stderr" ? "!" : "│"} ${line}`);
        return text.join("\n");
      }
      case EventType.EVENT_TYPE_TASK_RETRYING:
        return `${t} ↻ ${who} ${event.message}`;
      case EventType.EVENT_TYPE_WORKFLOW_SUCCEEDED:
      case EventType.EVENT_TYPE_WORKFLOW_FAILED:
      case EventType.EVENT_TYPE_WORKFLOW_CANCELLED: {
        const state = EventType[event.type].replace("EVENT_TYPE_WORKFLOW_", "").toLowerCase();
        return `${t} ${indent}workflow ${state} in ${event.durationMs.toFixed(0)} ms${event.message ? `: ${event.message}` : ""}`;
      }
      default:
        // queued/started show in the per-pool and per-stage lines, not one line each.
        return undefined;
    }
  }

  #clear(): void {
    if (!this.#live || this.#drawnLines === 0) return;
    this.#out.write(`\x1b[${this.#drawnLines}A\x1b[0J`);
    this.#drawnLines = 0;
  }

  #draw(): void {
    if (!this.#live) return;
    for (const [label, groups] of [
      ["pool", this.#pools],
      ["stage", this.#stages],
    ] as const) {
      for (const [name, c] of groups) {
        this.#out.write(`  ${label} ${name.padEnd(12)} ${statusLine(c)}\n`);
        this.#drawnLines += 1;
      }
    }
  }
}

function group(map: Map<string, GroupCounts>, name: string): GroupCounts {
  let counts = map.get(name);
  if (!counts) {
    counts = { total: 0, queued: 0, running: 0, succeeded: 0, failed: 0 };
    map.set(name, counts);
  }
  return counts;
}

function statusLine(c: GroupCounts): string {
  const done = c.succeeded + c.failed;
  const width = 24;
  const filled = c.total ? Math.round((done / c.total) * width) : 0;
  const bar = `${"█".repeat(filled)}${"░".repeat(width - filled)}`;
  return `${bar} ${String(done).padStart(4)}/${c.total} done · ${c.running} running · ${c.queued} queued${c.failed ? ` · ${c.failed} failed/cancelled` : ""}`;
}
