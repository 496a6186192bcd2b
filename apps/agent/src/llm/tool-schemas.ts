/**
 * The catalog's tools as the model sees them: name, description and a JSON
 * Schema of the arguments. Schemas come from the zod (v3) schemas through the
 * pinned zod-to-json-schema package, inlined (no $ref), since both APIs want
 * a self-contained object schema per tool.
 */
import { getTool } from "@toolmesh/tools";
import type { ZodType } from "zod";
import { zodToJsonSchema } from "zod-to-json-schema";
import type { ToolDefinition } from "./types.js";

export function toolDefinitions(tools: readonly string[]): ToolDefinition[] {
  return tools.flatMap((name) => {
    const spec = getTool(name);
    if (!spec) return [];
    const { $schema: _drop, ...schema } = zodToJsonSchema(spec.args as ZodType, { target: "jsonSchema7", $refStrategy: "none" }) as Record<
      string,
      unknown
    >;
    return [{ name, description: spec.description, schema: schema.type === "object" ? schema : { type: "object", ...schema } }];
  });
}
