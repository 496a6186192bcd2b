import type { TaskSpec } from "@toolmesh/proto";
import { ALL_SETTLED, task } from "./graph.js";
import { codeScope, type ThinkLayersParsed } from "./think-params.js";

/** Read-only tools an agent of a layer may call; never bash.exec or further agents. */
function agentTools(withCode: boolean): string[] {
  return [...(withCode ? ["code.glob", "code.grep", "code.read", "code.analyze"] : []), "web.search", "web.fetch"];
}

/** The agent's code.* calls go to the template's root and path only if it is told to pass them. */
function codebaseLine(p: ThinkLayersParsed): string {
  const scope = codeScope(p);
  const path = scope?.path ?? ".";
  return p.root !== undefined
    ? `The codebase is root "${p.root}", under "${path}": pass root "${p.root}" in every code.* call, with paths relative to that root.`
    : `The codebase is under "${path}" (paths relative to the default root).`;
}

/** Small: a layer's agent advises, the workflow does the bulk of the calls. */
const AGENT_BUDGET = { maxDepth: 0, maxCalls: 16, maxConcurrency: 4, wallMs: 90_000, maxTokens: 40_000 };

/** The agent task of a layer; `context` is the id of a synth.report whose Markdown it reads. */
export function agentTask(
  p: ThinkLayersParsed,
  layerName: string,
  dependsOn: readonly string[],
  context: string | undefined,
  withCode: boolean,
): TaskSpec {
  const goal = [
    `You are the "${layerName}" layer of a staged investigation. Overall goal: ${p.goal}`,
    `Do this layer's part (${layerName}) and report concrete findings with the paths and URLs they rest on.`,
    ...(withCode ? [codebaseLine(p)] : []),
    ...(context ? [`What the previous layer found:\n{{tasks.${context}.markdown}}`] : []),
  ].join("\n\n");
  return task({
    id: `${layerName}-agent`,
    tool: "agent.run",
    stage: layerName,
    args: { goal, policy: "llm", tools: agentTools(withCode), budget: AGENT_BUDGET, llm: { maxTurns: 6 } },
    dependsOn: context ? [...dependsOn, context] : dependsOn,
    fanIn: ALL_SETTLED,
    timeoutMs: AGENT_BUDGET.wallMs + 30_000,
  });
}

/** A short synth.report of a layer's tasks: the context the next layer's agent reads. */
export function brief(layerName: string, of: readonly string[]): TaskSpec {
  return task({
    id: `${layerName}-brief`,
    tool: "synth.report",
    stage: layerName,
    args: { title: `${layerName} brief`, maxItems: 5 },
    dependsOn: of,
    fanIn: ALL_SETTLED,
  });
}
