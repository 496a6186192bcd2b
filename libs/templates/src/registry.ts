import { ErrorCode, ToolError } from "@toolmesh/core";
import type { WorkflowSpec } from "@toolmesh/proto";
import { EXPLORE_CODEBASE, exploreCodebase } from "./explore-codebase.js";
import { EXPLORE_WEB, exploreWeb } from "./explore-web.js";
import { START, start } from "./start.js";
import { THINK_LAYERS, thinkLayers } from "./think-layers.js";

export const TEMPLATE_NAMES = [EXPLORE_CODEBASE, EXPLORE_WEB, THINK_LAYERS, START] as const;
export type TemplateName = (typeof TEMPLATE_NAMES)[number];

const BUILDERS: Record<TemplateName, (params: unknown) => WorkflowSpec> = {
  [EXPLORE_CODEBASE]: exploreCodebase,
  [EXPLORE_WEB]: exploreWeb,
  [THINK_LAYERS]: thinkLayers,
  [START]: start,
};

export function isTemplateName(name: string): name is TemplateName {
  return (TEMPLATE_NAMES as readonly string[]).includes(name);
}

/**
 * The workflow spec of template `name` for `params` (a plain object, e.g. a
 * RunTemplateRequest's params as JSON). Throws ToolError INVALID_ARGUMENT for
 * an unknown name (listing the known ones) or bad parameters (naming each).
 */
export function buildTemplate(name: string, params: unknown): WorkflowSpec {
  if (!isTemplateName(name)) {
    throw new ToolError(ErrorCode.INVALID_ARGUMENT, `unknown template "${name}"; known templates: ${TEMPLATE_NAMES.join(", ")}`);
  }
  return BUILDERS[name](params);
}
