import type { WorkflowSpec } from "@toolmesh/proto";
import { z } from "zod";
import { codebaseGraph, exploreCodebaseParams } from "./explore-codebase.js";
import { webGraph, exploreWebParams } from "./explore-web.js";
import { ALL_SETTLED, task, workflow } from "./graph.js";
import { namespace } from "./naming.js";
import { parseParams } from "./params.js";
import { pathParam, rootParam } from "./scope.js";
import { clip, termsOf } from "./terms.js";

export const START = "start";

export const startParams = z
  .object({
    /** The question: asked of the codebase (greps, ranking) and the web (queries). */
    goal: z
      .string({ required_error: "goal is required: say what to research" })
      .trim()
      .min(1, "goal must not be empty")
      .max(2048, "goal must be at most 2048 characters"),
    /** Directory to explore, relative to the codebase root. */
    path: pathParam().default("."),
    /** Name of a configured codebase root; the codebase service's first root when omitted. */
    root: rootParam().optional(),
  })
  .strict();

export type StartParams = z.input<typeof startParams>;

/**
 * explore-codebase ("code-" ids, "code:" stages) and explore-web ("web-",
 * "web:") in one workflow, so both run at once; then a correlation of code
 * and web records and one report over everything.
 */
export function start(params: unknown): WorkflowSpec {
  const p = parseParams(START, startParams, params);
  const code = codebaseGraph(exploreCodebaseParams.parse({ path: p.path, root: p.root, question: p.goal }), namespace("code"));
  const web = webGraph(exploreWebParams.parse({ queries: [clip(p.goal, 480)] }), namespace("web"));
  const terms = termsOf(p.goal);
  const correlate = task({
    id: "correlate",
    tool: "synth.correlate",
    stage: "synthesis",
    args: { groupBy: "term", ...(terms.length > 0 ? { terms } : {}) },
    dependsOn: [code.ranked, web.ranked, web.pages],
    fanIn: ALL_SETTLED,
  });
  const report = task({
    id: "report",
    tool: "synth.report",
    stage: "synthesis",
    args: { title: clip(`Research: ${p.goal}`, 256), question: p.goal, maxItems: 30 },
    dependsOn: [...code.content, ...web.content, correlate.id],
    fanIn: ALL_SETTLED,
  });
  return workflow(START, [...code.tasks, ...web.tasks, correlate, report]);
}
