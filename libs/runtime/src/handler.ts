import type { Logger } from "@toolmesh/core";

/** What a tool handler gets besides its (already validated) arguments. */
export interface ToolContext {
  workflowId: string;
  taskId: string;
  attempt: number;
  /** agent.run: the attempt's capability, for the ParentRef of the workflows it starts. */
  capability?: string;
  /** Aborted on cancel, on the task's deadline, and on shutdown. */
  signal: AbortSignal;
  /** Reports progress; becomes a task.progress event on the event stream. */
  progress(update: Record<string, unknown>): void;
  /** Streams a piece of output live on tm.data.chunk.<workflow>.<task> (core NATS, best effort). */
  chunk(stream: "stdout" | "stderr", data: string): void;
  /**
   * How usable this call's result is, 0..1 (e.g. 0 for a search that found
   * nothing). Feeds the pool's quality score; a call that reports nothing
   * counts as fully usable.
   */
  quality(score: number): void;
  log: Logger;
}

/**
 * Runs one call of a tool. Returns a JSON object (the task's output) or
 * throws; a ToolError keeps its code, anything else becomes INTERNAL.
 */
export type ToolHandler = (args: Record<string, unknown>, ctx: ToolContext) => Promise<Record<string, unknown>>;

export type ToolHandlers = Readonly<Record<string, ToolHandler>>;
