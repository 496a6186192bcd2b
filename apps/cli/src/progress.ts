import { EventType, type WorkflowEvent } from "@toolmesh/proto";

interface PoolCounts {
  total: number;
  queued: number;
  running: number;
  succeeded: number;
  failed: number;
}

const TERMINAL_TASK = new Set([EventType.EVENT_TYPE_TASK_SUCCEEDED, EventType.EVENT_TYPE_TASK_FAILED, EventType.EVENT_TYPE_TASK_CANCELLED]);

/**
 * Live progress of one workflow on a terminal: a line per finished task, and
 * under them one redrawn status line per pool (queued, running, done). On a
 * non-TTY stream only the task lines are written.
 */
export class ProgressView {
  readonly #out: NodeJS.WriteStream;
  readonly #live: boolean;
  readonly #started = Date.now();
  readonly #pools = new Map<string, PoolCounts>();
  readonly #taskState = new Map<string, EventType>();
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
    const counts = this.#pools.get(event.pool) ?? { total: 0, queued: 0, running: 0, succeeded: 0, failed: 0 };
    this.#pools.set(event.pool, counts);
    const previous = this.#taskState.get(event.taskId);
    if (previous === undefined) counts.total += 1;
    if (event.type === EventType.EVENT_TYPE_TASK_PROGRESS) return;
    if (previous === EventType.EVENT_TYPE_TASK_QUEUED) counts.queued -= 1;
    if (previous === EventType.EVENT_TYPE_TASK_STARTED) counts.running -= 1;
    if (previous !== undefined && TERMINAL_TASK.has(previous)) return;
    this.#taskState.set(event.taskId, event.type);
    if (event.type === EventType.EVENT_TYPE_TASK_QUEUED) counts.queued += 1;
    else if (event.type === EventType.EVENT_TYPE_TASK_STARTED) counts.running += 1;
    else if (event.type === EventType.EVENT_TYPE_TASK_SUCCEEDED) counts.succeeded += 1;
    else if (TERMINAL_TASK.has(event.type)) counts.failed += 1;
  }

  #describe(event: WorkflowEvent): string | undefined {
    const t = `[${((Date.now() - this.#started) / 1000).toFixed(2).padStart(6)}s]`;
    const who = `${event.taskId} (${event.tool})`;
    switch (event.type) {
      case EventType.EVENT_TYPE_WORKFLOW_STARTED:
        return `${t} workflow ${event.workflowId} started: ${event.message}`;
      case EventType.EVENT_TYPE_TASK_SUCCEEDED:
        return `${t} ✓ ${who} ${event.durationMs.toFixed(0)} ms on ${event.worker}`;
      case EventType.EVENT_TYPE_TASK_FAILED:
        return `${t} ✗ ${who} ${event.message}`;
      case EventType.EVENT_TYPE_TASK_CANCELLED:
        return `${t} ⊘ ${who} cancelled`;
      case EventType.EVENT_TYPE_TASK_OUTPUT: {
        const text = event.output.replace(/\n$/, "").split("\n").map((line) => `${t}   ${event.taskId} ${event.outputStream === "stderr" ? "!" : "│"} ${line}`);
        return text.join("\n");
      }
      case EventType.EVENT_TYPE_TASK_RETRYING:
        return `${t} ↻ ${who} ${event.message}`;
      case EventType.EVENT_TYPE_WORKFLOW_SUCCEEDED:
      case EventType.EVENT_TYPE_WORKFLOW_FAILED:
      case EventType.EVENT_TYPE_WORKFLOW_CANCELLED: {
        const state = EventType[event.type].replace("EVENT_TYPE_WORKFLOW_", "").toLowerCase();
        return `${t} workflow ${state} in ${event.durationMs.toFixed(0)} ms${event.message ? `: ${event.message}` : ""}`;
      }
      default:
        // queued/started/progress show in the per-pool lines, not one line each.
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
    for (const [pool, c] of this.#pools) {
      const done = c.succeeded + c.failed;
      const width = 24;
      const filled = c.total ? Math.round((done / c.total) * width) : 0;
      const bar = `${"█".repeat(filled)}${"░".repeat(width - filled)}`;
      this.#out.write(
        `  ${pool.padEnd(9)} ${bar} ${String(done).padStart(4)}/${c.total} done · ${c.running} running · ${c.queued} queued${c.failed ? ` · ${c.failed} failed` : ""}\n`,
      );
      this.#drawnLines += 1;
    }
  }
}
