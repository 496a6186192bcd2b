import type { WorkflowSpec } from "@toolmesh/proto";
import { workflow } from "./graph.js";
import { parseParams } from "./params.js";
import { customLayers } from "./think-custom.js";
import { defaultLayers } from "./think-default.js";
import { THINK_LAYERS, thinkLayersParams } from "./think-params.js";

export { THINK_LAYERS, thinkLayersParams } from "./think-params.js";
export type { ThinkLayersParams } from "./think-params.js";

/** Staged analysis: default layers built from the goal, or the caller's layers wired layer to layer. */
export function thinkLayers(params: unknown): WorkflowSpec {
  const p = parseParams(THINK_LAYERS, thinkLayersParams, params);
  return workflow(THINK_LAYERS, p.layers ? customLayers(p, p.layers) : defaultLayers(p));
}
