import { ErrorCode, ToolError } from "@toolmesh/core";
import type { z } from "zod";

/** The error every template throws for parameters it cannot use. */
export function invalidParams(template: string, what: string): ToolError {
  return new ToolError(ErrorCode.INVALID_ARGUMENT, `template "${template}": ${what}`);
}

/**
 * Parses a template's parameters with its schema, applying defaults. Throws
 * ToolError INVALID_ARGUMENT naming each bad parameter and what to fix.
 */
export function parseParams<S extends z.ZodTypeAny>(template: string, schema: S, params: unknown): z.output<S> {
  const parsed = schema.safeParse(params ?? {});
  if (parsed.success) return parsed.data as z.output<S>;
  const problems = parsed.error.issues.map((issue) => {
    const where = issue.path.length > 0 ? `params.${issue.path.join(".")}` : "params";
    return `${where}: ${issue.message}`;
  });
  throw invalidParams(template, `bad parameters: ${problems.join("; ")}`);
}
