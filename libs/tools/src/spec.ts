import type { CoordinatorToolsName, PoolName } from "@toolmesh/core";
import type { z } from "zod";

/**
 * Where a tool runs: a worker pool, or a family the coordinator runs itself
 * ("synth": the synthesis tools over its tasks' outputs; POOL_TABLE's
 * placement, tested with runsInCoordinator).
 */
export type ToolPool = PoolName | CoordinatorToolsName;

/** What a tool is: its name, the pool that runs it, the arguments it takes and what it returns. */
export interface ToolSpec<S extends z.ZodTypeAny = z.ZodTypeAny, O extends z.ZodTypeAny = z.ZodTypeAny> {
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
  /**
   * The output's schema. Every built-in tool declares one (defineTool insists);
   * run-time (MCP) tools may not. Outputs are not checked against it at run
   * time: it types the handlers (defineHandler), feeds the JSON Schema
   * listings, and lets readers of outputs (synthesis) parse them.
   */
  output?: O;
}

/** A spec with its output schema, as every built-in tool has. */
export type DefinedToolSpec<S extends z.ZodTypeAny = z.ZodTypeAny, O extends z.ZodTypeAny = z.ZodTypeAny> = ToolSpec<S, O> & { output: O };

/** A tool's arguments as its handler gets them: parsed, defaults applied. */
export type ToolArgs<T extends ToolSpec> = z.infer<T["args"]>;

/** What a tool's handler returns, as its output schema describes it. */
export type ToolOutput<T extends DefinedToolSpec> = z.infer<T["output"]>;

export function defineTool<S extends z.ZodTypeAny, O extends z.ZodTypeAny>(spec: DefinedToolSpec<S, O>): DefinedToolSpec<S, O> {
  return spec;
}
