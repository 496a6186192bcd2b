/**
 * The one shape of a tool handler, for every pool: the context a call gets,
 * and defineHandler, which types a handler's arguments and output from its
 * tool's spec so no handler casts a Record<string, unknown>.
 */
import type { Logger } from "@toolmesh/core";
import type { z } from "zod";
import type { DefinedToolSpec } from "./spec.js";

/** What a tool handler gets besides its (already validated) arguments. */
export interface ToolCallContext {
  workflowId: string;
  taskId: string;
  attempt: number;
  /** agent.run: the attempt's capability, for the ParentRef of the workflows it starts. */
  capability?: string;
  /** Aborted on cancel, on the task's deadline, and on shutdown. */
  signal: AbortSignal;
  /** Reports progress; becomes a task.progress event on the event stream. */
  progress: (update: Record<string, unknown>) => void;
  /** Streams a piece of output live on tm.data.chunk.<workflow>.<task> (core NATS, best effort). */
  chunk: (stream: "stdout" | "stderr", data: string) => void;
  /**
   * How usable this call's result is, 0..1 (e.g. 0 for a search that found
   * nothing). Feeds the pool's quality score; a call that reports nothing
   * counts as fully usable.
   */
  quality(score: number): void;
  log: Logger;
}

/**
 * Runs one call of a tool, as the runtime calls it: arguments already parsed
 * by the tool's schema (parseToolArgs). Returns a JSON object (the task's
 * output) or throws; a ToolError keeps its code, anything else becomes INTERNAL.
 */
export type ToolHandler = (args: Record<string, unknown>, ctx: ToolCallContext) => Promise<Record<string, unknown>>;

export type ToolHandlers = Readonly<Record<string, ToolHandler>>;

/** A handler as written for one tool: its arguments and output typed by the tool's schemas. */
export type TypedHandler<S extends z.ZodTypeAny, O extends z.ZodTypeAny> = (args: z.output<S>, ctx: ToolCallContext) => Promise<z.infer<O>>;

/**
 * A tool's handler, typed by its spec: `run` gets the arguments as spec.args
 * parses them and must return what spec.output describes (the spec only
 * types it: nothing is parsed again here).
 *
 *   export const echo = defineHandler(testEcho, async (args) => ({ value: args.value ?? null }));
 */
export function defineHandler<S extends z.ZodTypeAny, O extends z.ZodTypeAny>(
  _spec: DefinedToolSpec<S, O>,
  run: TypedHandler<S, O>,
): ToolHandler {
  // The runtime (and every other caller) parses the arguments with spec.args first: they are z.output<S>.
  return (args, ctx) => run(args, ctx);
}
