import type { ToolHandler } from "@toolmesh/runtime";

/**
 * The web pool's quality score: a search that found nothing, or a page with
 * no readable text, answered but gave the caller nothing to use. A pool whose
 * score falls below the threshold (0.8) steps its concurrency down — a
 * provider that starts returning empty pages under load looks like this.
 */
export function withQuality(handler: ToolHandler, usable: (output: Record<string, unknown>) => boolean): ToolHandler {
  return async (args, ctx) => {
    const output = await handler(args, ctx);
    ctx.quality(usable(output) ? 1 : 0);
    return output;
  };
}

export const searchFoundSomething = (output: Record<string, unknown>): boolean =>
  Array.isArray(output.results) && output.results.length > 0;
export const pageHasText = (output: Record<string, unknown>): boolean => typeof output.text === "string" && output.text.trim().length > 0;
