import type { PoolName } from "@toolmesh/core";
import type { z } from "zod";

/** What a tool is: its name, the pool that runs it and the arguments it takes. */
export interface ToolSpec<S extends z.ZodTypeAny = z.ZodTypeAny> {
  name: string;
  pool: PoolName;
  description: string;
  args: S;
}

export type ToolArgs<T extends ToolSpec> = z.infer<T["args"]>;

export function defineTool<S extends z.ZodTypeAny>(spec: ToolSpec<S>): ToolSpec<S> {
  return spec;
}
