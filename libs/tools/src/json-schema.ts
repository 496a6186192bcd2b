/**
 * The catalog as JSON Schema, for anything that lists tools to a client that
 * does not speak zod: the coordinator's ListTools RPC, an MCP server, an LLM's
 * tool definitions. Schemas come from the zod (v3) schemas through the pinned
 * zod-to-json-schema package, inlined (no $ref, no definitions, no $schema),
 * so each is a self-contained `{"type": "object", ...}`.
 */
import type { z } from "zod";
import { zodToJsonSchema } from "zod-to-json-schema";
import { TOOLS } from "./catalog.js";
import type { ToolPool, ToolSpec } from "./spec.js";

/** A JSON Schema as a plain (JSON-serialisable) object. */
export type JsonSchema = Record<string, unknown>;

/** One tool as a JSON listing gives it. */
export interface ToolJsonSchema {
  name: string;
  pool: ToolPool;
  description: string;
  /** JSON Schema of the arguments: always an object schema. */
  argsSchema: JsonSchema;
  /** JSON Schema of the output, when the tool declares one. */
  outputSchema?: JsonSchema;
  /** Side-effect-free: identical calls may share a result. */
  shareable: boolean;
  /** Changes things outside itself. */
  destructive: boolean;
  /** Reaches the internet. */
  openWorld: boolean;
}

/**
 * A zod schema as a plain JSON Schema: inlined, without `$schema` or
 * `definitions`. Input view: fields with defaults are optional, refinements
 * are dropped (the server still checks them).
 */
export function toJsonSchema(schema: z.ZodTypeAny): JsonSchema {
  const {
    $schema: _schema,
    definitions: _definitions,
    ...rest
  } = zodToJsonSchema(schema as z.ZodType, {
    target: "jsonSchema7",
    $refStrategy: "none",
    effectStrategy: "input",
    pipeStrategy: "input",
  }) as JsonSchema;
  return rest;
}

/** Arguments are always named fields: a schema that is not an object one is wrapped to say so. */
function objectSchema(schema: JsonSchema): JsonSchema {
  return schema.type === "object" ? schema : { type: "object", ...schema };
}

const cache = new WeakMap<ToolSpec, ToolJsonSchema>();

/** One catalog spec as JSON Schema (computed once per spec). */
export function toolJsonSchema(spec: ToolSpec): ToolJsonSchema {
  let entry = cache.get(spec);
  if (!entry) {
    entry = {
      name: spec.name,
      pool: spec.pool,
      description: spec.description,
      argsSchema: objectSchema(toJsonSchema(spec.args)),
      ...(spec.output ? { outputSchema: toJsonSchema(spec.output) } : {}),
      shareable: spec.shareable,
      destructive: spec.destructive ?? false,
      openWorld: spec.openWorld ?? false,
    };
    cache.set(spec, entry);
  }
  return structuredClone(entry);
}

/** Every catalog tool (synth.* and test.* included) with its JSON Schemas, in catalog order. */
export function catalogJsonSchemas(): ToolJsonSchema[] {
  return [...TOOLS.values()].map(toolJsonSchema);
}
