/**
 * @toolmesh/templates — pure builders of workflow specs for the named
 * templates (explore-codebase, explore-web, think-layers, start). No I/O: a
 * template's parameters in, a WorkflowSpec out, ready for SubmitWorkflow.
 * Bad parameters throw ToolError INVALID_ARGUMENT saying what to fix.
 *
 *   import { buildTemplate } from "@toolmesh/templates";
 *   const spec = buildTemplate("explore-codebase", { path: "src", question: "where is auth handled" });
 *   await client.submitWorkflow({ spec });
 */
export { TEMPLATE_DOCS } from "./docs.js";
export type { ParamDoc, TemplateDoc } from "./docs.js";
export { EXPLORE_CODEBASE, SOURCE_FAMILIES, STRUCTURE_GREPS, exploreCodebase, exploreCodebaseParams } from "./explore-codebase.js";
export type { ExploreCodebaseParams } from "./explore-codebase.js";
export { EXPLORE_WEB, exploreWeb, exploreWebParams, searchQueries } from "./explore-web.js";
export type { ExploreWebParams } from "./explore-web.js";
export { TEMPLATE_NAMES, buildTemplate, isTemplateName } from "./registry.js";
export type { TemplateName } from "./registry.js";
export { ROOT_HINT, rootNameProblem, rootRelative } from "./scope.js";
export { START, start, startParams } from "./start.js";
export type { StartParams } from "./start.js";
export { termsOf } from "./terms.js";
export { THINK_LAYERS, thinkLayers, thinkLayersParams } from "./think-layers.js";
export type { ThinkLayersParams } from "./think-layers.js";
