import { Ajv, type ErrorObject, type ValidateFunction } from "ajv";
import { Ajv2020 } from "ajv/dist/2020.js";
import { z } from "zod";
import type { JsonSchema } from "./entry.js";

/**
 * Upstream schemas follow whichever draft they name: draft 2020-12 (the MCP
 * spec's default since 2025-11) and 2019-09 with Ajv2020, anything else
 * (draft-07, what zod-to-json-schema writes) with Ajv. Not strict: servers
 * put keywords of their own in their schemas. Formats are not checked here
 * (the upstream still checks what it cares about).
 */
const options = { strict: false, allErrors: true, validateFormats: false } as const;
let draft07: Ajv | undefined;
let draft2020: Ajv2020 | undefined;

function compile(schema: JsonSchema): ValidateFunction {
  const { $schema, ...rest } = schema;
  const modern = typeof $schema === "string" && /2020-12|2019-09/.test($schema);
  return modern ? (draft2020 ??= new Ajv2020(options)).compile(rest) : (draft07 ??= new Ajv(options)).compile(rest);
}

/** `args.path`, `args.edits.0.oldText`, or `args` for the object itself. */
function fieldOf(error: ErrorObject): (string | number)[] {
  const path = error.instancePath
    .split("/")
    .slice(1)
    .map((p) => p.replace(/~1/g, "/").replace(/~0/g, "~"));
  // A missing or unexpected property names the property, not its parent object.
  const property: unknown = error.params["missingProperty"] ?? error.params["additionalProperty"];
  if (typeof property === "string") path.push(property);
  return path.map((p) => (/^\d+$/.test(p) ? Number(p) : p));
}

/**
 * A zod schema that checks an arguments object against the upstream's JSON
 * Schema, so parseToolArgs names each bad field as it does for native tools
 * (`bad arguments for fs.read_file: args.path: must be string`). A schema
 * that does not compile accepts any object and says so in `problem`: the
 * upstream's own checks remain.
 */
export function jsonSchemaArgs(schema: JsonSchema): { args: z.ZodTypeAny; problem?: string } {
  let validate: ValidateFunction;
  try {
    validate = compile(schema);
  } catch (err) {
    return {
      args: z.record(z.unknown()),
      problem: `input schema does not compile (${err instanceof Error ? err.message : String(err)}); arguments go unchecked`,
    };
  }
  const args = z.record(z.unknown()).superRefine((value, ctx) => {
    if (validate(value)) return;
    for (const error of validate.errors ?? []) {
      const message =
        error.keyword === "additionalProperties"
          ? "is not a known argument"
          : error.keyword === "required"
            ? "is required"
            : (error.message ?? "is not valid");
      ctx.addIssue({ code: "custom", path: fieldOf(error), message });
    }
  });
  return { args };
}
