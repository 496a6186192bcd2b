import type { ToolSpec } from "./spec.js";

/**
 * Tools learned at run time rather than built in: an MCP pool's upstream
 * tools (`<name>.<tool>`), which its workers publish in the TM_CATALOG KV
 * bucket. A process that knows them (the coordinator watching the bucket, an
 * MCP worker for its own) sets a source here once, and getTool and
 * parseToolArgs consult it after the static catalog, so every place that
 * checks a task's tool and arguments accepts them without knowing where
 * they came from.
 */
export interface RuntimeToolSource {
  get(name: string): ToolSpec | undefined;
  list(): readonly ToolSpec[];
}

let source: RuntimeToolSource | undefined;

/** Sets (or, with undefined, clears) where run-time tools are looked up in this process. */
export function useRuntimeTools(next: RuntimeToolSource | undefined): void {
  source = next;
}

export function getRuntimeTool(name: string): ToolSpec | undefined {
  return source?.get(name);
}

/** The run-time tools known now, e.g. for a listing. */
export function runtimeTools(): readonly ToolSpec[] {
  return source?.list() ?? [];
}
