import type { PoolName } from "@toolmesh/core";
import type { z } from "zod";

/**
 * Where a tool runs: a worker pool, or "synth" for the synthesis tools the
 * coordinator runs itself over its tasks' outputs.
 */
export type ToolPool = PoolName | "synth";

/** What a tool is: its name, the pool that runs it and the arguments it takes. */
export interface ToolSpec<S extends z.ZodTypeAny = z.ZodTypeAny> {
  name: string;
  pool: ToolPool;
  description: string;
  args: S;
  /**
   * Same arguments, same result, no side effects: identical calls may share
   * one run. False for tools that change things (bash.exec) or whose result
   * is not a function of their arguments (agent.run).
   */
  shareable: boolean;
  /** Changes things outside itself (bash.exec; agent.run, which may call it). Default false. */
  destructive?: boolean;
  /** Reaches the internet (web.*; agent.run, which may call them). Default false. */
  openWorld?: boolean;
  /** The output's schema, when the tool declares one (for JSON Schema listings only; outputs are not checked against it). */
  output?: z.ZodTypeAny;
}

export type ToolArgs<T extends ToolSpec> = z.infer<T["args"]>;

export function defineTool<S extends z.ZodTypeAny>(spec: ToolSpec<S>): ToolSpec<S> {
  return spec;
}
