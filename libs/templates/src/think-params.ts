import { fanInArgs, forEachArgs } from "@toolmesh/tools";
import { z } from "zod";
import { pathParam, rootParam } from "./scope.js";

export const THINK_LAYERS = "think-layers";

const ID = /^[A-Za-z0-9_-]{1,64}$/;
const LAYER_NAME = /^[A-Za-z0-9_-]{1,32}$/;

/** One task of a custom layer: a workflow task without dependsOn (the layer order gives it). */
const layerTask = z
  .object({
    /** Unique in the workflow; "<layer>-<n>" when omitted. */
    id: z.string().regex(ID, "task ids are 1-64 letters, digits, '_' or '-'").optional(),
    tool: z.string().min(1, 'tool is required (e.g. "code.grep")'),
    args: z.record(z.string(), z.unknown()).default({}),
    /** Fan-out over the output of a task of an earlier layer. */
    forEach: forEachArgs.optional(),
    fanIn: fanInArgs("all_settled").optional(),
    timeoutMs: z.number().int().min(0).default(0),
  })
  .strict();

const layer = z
  .object({
    name: z.string().regex(LAYER_NAME, "layer names are 1-32 letters, digits, '_' or '-'"),
    tasks: z.array(layerTask).min(1, "a layer needs at least one task").max(256, "a layer has at most 256 tasks"),
  })
  .strict();

export const thinkLayersParams = z
  .object({
    /** What to think about: its words are grepped for and searched on the web, and it titles the report. */
    goal: z
      .string({ required_error: "goal is required: say what to investigate" })
      .trim()
      .min(1, "goal must not be empty")
      .max(2048, "goal must be at most 2048 characters"),
    /** Directory to search, relative to the codebase root; without it (or root) the default layers use the web only. */
    path: pathParam().optional(),
    /** Name of a configured codebase root; with it and no path, the whole root is searched. */
    root: rootParam().optional(),
    /** Custom layers replacing the default gather → analyse → critique → synthesise. */
    layers: z.array(layer).min(1, "layers, when given, needs at least one layer").max(16, "at most 16 layers").optional(),
    /** Add an agent.run (LLM policy) to each layer after the first. */
    useAgents: z.boolean().default(false),
    /** Top hits each analysis fan-out takes (default layers). */
    maxHits: z.number().int().min(1).max(50, "maxHits must be at most 50").default(8),
  })
  .strict();

export type ThinkLayersParams = z.input<typeof thinkLayersParams>;
export type ThinkLayersParsed = z.output<typeof thinkLayersParams>;

/** The codebase the layers search: with a path or a root (the whole root then); none means web only. */
export function codeScope(p: ThinkLayersParsed): { root: string | undefined; path: string } | undefined {
  return p.path !== undefined || p.root !== undefined ? { root: p.root, path: p.path ?? "." } : undefined;
}
