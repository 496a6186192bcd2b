import type { McpPoolName } from "@toolmesh/core";

/** The JetStream KV bucket of run-time tools, keyed by tool name (`fs.read_file`). */
export const CATALOG_BUCKET = "TM_CATALOG";

/** A JSON Schema as a plain object. */
export type JsonSchema = Record<string, unknown>;

/**
 * One run-time tool as its pool's workers publish it: what the coordinator
 * needs to accept, check and route a call, and what a listing shows.
 */
export interface RuntimeToolEntry {
  /** `<name>.<tool>`: the pool's name without `mcp-`, then the upstream tool's own name. */
  name: string;
  pool: McpPoolName;
  /** The tool's name on the upstream server. */
  upstreamTool: string;
  description: string;
  /** The upstream's input schema (JSON Schema of the arguments object). */
  inputSchema: JsonSchema;
  outputSchema?: JsonSchema;
  /** From the upstream's annotations: read-only tools may share one call's result. */
  shareable: boolean;
  destructive: boolean;
  openWorld: boolean;
  /** The instance's concurrency range, so every process sizes the pool alike. */
  minLimit: number;
  maxLimit: number;
  /** Who wrote it and when (ms since the epoch). */
  instanceId: string;
  updatedAtMs: number;
}

/** NATS KV keys: letters, digits and `-/_=.`; a tool name outside them cannot be published. */
export const CATALOG_KEY = /^[-/_=.A-Za-z0-9]+$/;

/** `<name>.<tool>` for an upstream tool of pool name `<name>`. */
export function runtimeToolName(name: string, upstreamTool: string): string {
  return `${name}.${upstreamTool}`;
}
