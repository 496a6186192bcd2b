import { ToolError } from "@toolmesh/core";
import type { TaskSpec, WorkflowSpec } from "@toolmesh/proto";
import { getTool, parseToolArgs } from "@toolmesh/tools";
import { z } from "zod";
import { ALL_SETTLED, idsOf, task, workflow, type Join } from "./graph.js";
import { invalidParams, parseParams } from "./params.js";
import { anyOf, clip, termsOf } from "./terms.js";

export const THINK_LAYERS = "think-layers";

const ID = /^[A-Za-z0-9_-]{1,64}$/;
const LAYER_NAME = /^[A-Za-z0-9_-]{1,32}$/;

/** One task of a custom layer: a workflow task without dependsOn (the layer order gives it). */
const layerTask = z
  .object({
    /** Unique in the workflow; "<layer>-<n>" when omitted. */
    id: z.string().regex(ID, "task ids are 1-64 letters, digits, '_' or '-'").optional(),
    tool: z.string().min(1, "tool is required (e.g. \"code.grep\")"),
    args: z.record(z.string(), z.unknown()).default({}),
    /** Fan-out over the output of a task of an earlier layer. */
    forEach: z.object({ from: z.string().min(1), items: z.string().default(""), maxItems: z.number().int().min(0).default(0) }).strict().optional(),
    fanIn: z
      .object({
        mode: z.enum(["all", "all_settled", "first_success", "quorum", "deadline"]).default("all_settled"),
        quorum: z.number().int().min(0).default(0),
        deadlineMs: z.number().int().min(0).default(0),
      })
      .strict()
      .optional(),
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
    goal: z.string({ required_error: "goal is required: say what to investigate" }).trim().min(1, "goal must not be empty").max(2048, "goal must be at most 2048 characters"),
    /** Directory under the codebase root to search; without it the default layers use the web only. */
    path: z.string().trim().min(1).max(1024).optional(),
    /** Name of a configured codebase root. */
    root: z.string().trim().min(1).max(256).optional(),
    /** Custom layers replacing the default gather → analyse → critique → synthesise. */
    layers: z.array(layer).min(1, "layers, when given, needs at least one layer").max(16, "at most 16 layers").optional(),
    /** Add an agent.run (LLM policy) to each layer after the first. */
    useAgents: z.boolean().default(false),
    /** Top hits each analysis fan-out takes (default layers). */
    maxHits: z.number().int().min(1).max(50, "maxHits must be at most 50").default(8),
  })
  .strict();

export type ThinkLayersParams = z.input<typeof thinkLayersParams>;
type Parsed = z.output<typeof thinkLayersParams>;

/** Read-only tools an agent of a layer may call; never bash.exec or further agents. */
function agentTools(withCode: boolean): string[] {
  return [...(withCode ? ["code.glob", "code.grep", "code.read", "code.analyze"] : []), "web.search", "web.fetch"];
}

/** Small: a layer's agent advises, the workflow does the bulk of the calls. */
const AGENT_BUDGET = { maxDepth: 0, maxCalls: 16, maxConcurrency: 4, wallMs: 90_000, maxTokens: 40_000 };

/** The agent task of a layer; `context` is the id of a synth.report whose Markdown it reads. */
function agentTask(p: Parsed, layerName: string, dependsOn: readonly string[], context: string | undefined, withCode: boolean): TaskSpec {
  const goal = [
    `You are the "${layerName}" layer of a staged investigation. Overall goal: ${p.goal}`,
    `Do this layer's part (${layerName}) and report concrete findings with the paths and URLs they rest on.`,
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
function brief(layerName: string, of: readonly string[]): TaskSpec {
  return task({ id: `${layerName}-brief`, tool: "synth.report", stage: layerName, args: { title: `${layerName} brief`, maxItems: 5 }, dependsOn: of, fanIn: ALL_SETTLED });
}

function defaultLayers(p: Parsed): TaskSpec[] {
  const withCode = p.path !== undefined;
  const scope = { root: p.root, path: p.path };
  const terms = termsOf(p.goal);
  const grepTerms = terms.length > 0 ? terms : [clip(p.goal, 256)];

  // gather: what the codebase and the web say about the goal's words.
  const greps = withCode
    ? grepTerms.map((term, i) => task({ id: `grep-${i}`, tool: "code.grep", stage: "gather", args: { ...scope, pattern: term, literal: true, ignoreCase: true, maxResults: 100 } }))
    : [];
  const search = task({ id: "search", tool: "web.search", stage: "gather", args: { query: clip(p.goal, 512), maxResults: 10 } });
  const gather = [...greps, search];

  // analyse: rank everything; read, analyse and fetch the top hits.
  const rank = task({ id: "rank", tool: "synth.rank", stage: "analyse", args: { query: p.goal, limit: 50 }, dependsOn: idsOf(gather), fanIn: ALL_SETTLED });
  const code: TaskSpec[] = [];
  if (withCode) {
    const rankCode = task({ id: "rank-code", tool: "synth.rank", stage: "analyse", args: { query: p.goal, limit: Math.max(20, p.maxHits * 2) }, dependsOn: idsOf(greps), fanIn: ALL_SETTLED });
    const analyze = task({
      id: "analyze",
      tool: "code.analyze",
      stage: "analyse",
      args: { root: p.root, path: "{{item}}", maxFiles: 1 },
      forEach: { from: rankCode.id, items: "records[].path", maxItems: p.maxHits },
      fanIn: ALL_SETTLED,
    });
    const read = task({
      id: "read",
      tool: "code.read",
      stage: "analyse",
      args: { root: p.root, path: "{{item.path}}", startLine: "{{item.line}}", maxBytes: 4096 },
      forEach: { from: rankCode.id, items: "records", maxItems: p.maxHits },
      fanIn: ALL_SETTLED,
    });
    code.push(rankCode, analyze, read);
  }
  const fetch = task({
    id: "fetch",
    tool: "web.fetch",
    stage: "analyse",
    args: { url: "{{item}}", timeoutMs: 15_000 },
    forEach: { from: search.id, items: "results[].url", maxItems: Math.min(p.maxHits, 5) },
    fanIn: { mode: "deadline", deadlineMs: 20_000 },
    timeoutMs: 20_000,
  });
  const analyse = [rank, ...code, fetch];

  // critique: cross-links code ↔ web, duplicates out, loose ends near the hits.
  const correlate = task({ id: "correlate", tool: "synth.correlate", stage: "critique", args: { groupBy: "term", terms: grepTerms.slice(0, 64) }, dependsOn: idsOf(analyse), fanIn: ALL_SETTLED });
  const dedupe = task({ id: "dedupe", tool: "synth.dedupe", stage: "critique", args: {}, dependsOn: idsOf(analyse), fanIn: ALL_SETTLED });
  const critiqueCode = withCode
    ? [
        task({
          id: "todo-near",
          tool: "code.grep",
          stage: "critique",
          args: { root: p.root, path: "{{item}}", pattern: String.raw`\b(TODO|FIXME|HACK|XXX)\b`, contextLines: 2, maxResults: 50 },
          forEach: { from: "rank-code", items: "records[].path", maxItems: p.maxHits },
          fanIn: ALL_SETTLED,
        }),
        task({
          id: "tests-near",
          tool: "code.grep",
          stage: "critique",
          args: {
            ...scope,
            pattern: anyOf(grepTerms),
            ignoreCase: true,
            include: ["*.test.*", "*.spec.*", "*_test.*", "test_*.py", "**/test/**", "**/tests/**", "**/__tests__/**"],
            maxResults: 100,
          },
          dependsOn: ["rank-code"],
        }),
      ]
    : [];
  const critique = [correlate, dedupe, ...critiqueCode];

  const agents: TaskSpec[] = [];
  if (p.useAgents) {
    const gatherBrief = brief("gather", idsOf(gather));
    const analyseBrief = brief("analyse", idsOf(analyse));
    const critiqueBrief = brief("critique", idsOf(critique));
    agents.push(
      gatherBrief,
      agentTask(p, "analyse", idsOf(gather), gatherBrief.id, withCode),
      analyseBrief,
      agentTask(p, "critique", idsOf(analyse), analyseBrief.id, withCode),
      critiqueBrief,
      agentTask(p, "synthesise", idsOf(critique), critiqueBrief.id, withCode),
    );
  }

  const reportInputs = [...idsOf(analyse), ...idsOf(critique), ...agents.filter((a) => a.tool === "agent.run" && a.stage !== "synthesise").map((a) => a.id)];
  const report = task({
    id: "report",
    tool: "synth.report",
    stage: "synthesise",
    args: { title: clip(`Think: ${p.goal}`, 256), question: p.goal, maxItems: 20 },
    dependsOn: reportInputs,
    fanIn: ALL_SETTLED,
  });
  return [...gather, ...analyse, ...critique, ...agents, report];
}

const PLACEHOLDER = /\{\{\s*([A-Za-z0-9_\-.[\]]+)\s*\}\}/g;

/** Task ids a task's args read through "{{tasks.<id>...}}". */
function referencedTasks(value: unknown, found: Set<string> = new Set()): Set<string> {
  if (typeof value === "string") {
    for (const m of value.matchAll(PLACEHOLDER)) {
      const [head, id] = m[1]!.split(".");
      if (head === "tasks" && id) found.add(id);
    }
  } else if (Array.isArray(value)) {
    for (const v of value) referencedTasks(v, found);
  } else if (value && typeof value === "object") {
    for (const v of Object.values(value)) referencedTasks(v, found);
  }
  return found;
}

function hasPlaceholder(value: unknown): boolean {
  if (typeof value === "string") return /\{\{.*?\}\}/.test(value);
  if (Array.isArray(value)) return value.some(hasPlaceholder);
  if (value && typeof value === "object") return Object.values(value).some(hasPlaceholder);
  return false;
}

/**
 * Custom layers: each layer's tasks run in parallel and depend on every task
 * of the previous layer (ALL_SETTLED unless the task says otherwise, so one
 * failure does not stop the next layer). A forEach.from or {{tasks.<id>}}
 * may name any earlier layer's task; it is added to dependsOn.
 */
function customLayers(p: Parsed, layers: NonNullable<Parsed["layers"]>): TaskSpec[] {
  const out: TaskSpec[] = [];
  const earlier = new Set<string>();
  const names = new Set<string>();
  const taken = new Set<string>();
  let previous: string[] = [];
  layers.forEach((l, li) => {
    if (names.has(l.name)) throw invalidParams(THINK_LAYERS, `params.layers[${li}].name: "${l.name}" is used by an earlier layer; layer names must be unique`);
    names.add(l.name);
    const current: TaskSpec[] = l.tasks.map((t, ti) => {
      const id = t.id ?? `${l.name}-${ti}`;
      const where = `params.layers[${li}].tasks[${ti}] (id "${id}")`;
      if (taken.has(id)) throw invalidParams(THINK_LAYERS, `${where}: duplicate task id; give each task a unique id`);
      taken.add(id);
      if (!getTool(t.tool)) throw invalidParams(THINK_LAYERS, `${where}: unknown tool "${t.tool}"`);
      try {
        parseToolArgs(t.tool, t.args);
      } catch (err) {
        // Placeholders are filled at dispatch; the coordinator checks those args again then.
        if (!hasPlaceholder(t.args)) throw invalidParams(THINK_LAYERS, `${where}: ${err instanceof ToolError ? err.message : String(err)}`);
      }
      const extra: string[] = [];
      for (const ref of referencedTasks(t.args)) {
        if (!earlier.has(ref)) throw invalidParams(THINK_LAYERS, `${where}: {{tasks.${ref}...}} must name a task of an earlier layer`);
        extra.push(ref);
      }
      if (t.forEach && !earlier.has(t.forEach.from)) {
        throw invalidParams(THINK_LAYERS, `${where}: forEach.from "${t.forEach.from}" must name a task of an earlier layer`);
      }
      const join: Join | undefined = t.fanIn
        ? t.fanIn.mode === "quorum"
          ? { mode: "quorum", quorum: t.fanIn.quorum }
          : t.fanIn.mode === "deadline"
            ? { mode: "deadline", deadlineMs: t.fanIn.deadlineMs }
            : { mode: t.fanIn.mode }
        : li > 0
          ? ALL_SETTLED
          : undefined;
      if (join?.mode === "quorum" && join.quorum < 1) throw invalidParams(THINK_LAYERS, `${where}: fanIn mode "quorum" needs quorum >= 1`);
      if (join?.mode === "deadline" && join.deadlineMs < 1) throw invalidParams(THINK_LAYERS, `${where}: fanIn mode "deadline" needs deadlineMs >= 1`);
      return task({
        id,
        tool: t.tool,
        args: t.args,
        stage: l.name,
        dependsOn: [...previous, ...extra],
        ...(t.forEach ? { forEach: t.forEach } : {}),
        ...(join ? { fanIn: join } : {}),
        ...(t.timeoutMs ? { timeoutMs: t.timeoutMs } : {}),
      });
    });
    if (p.useAgents && li > 0) {
      if (taken.has(`${l.name}-agent`)) {
        throw invalidParams(THINK_LAYERS, `params.layers[${li}]: task id "${l.name}-agent" is taken; useAgents adds a task of that id`);
      }
      current.push(agentTask(p, l.name, previous, undefined, p.path !== undefined));
      taken.add(`${l.name}-agent`);
    }
    for (const c of current) earlier.add(c.id);
    out.push(...current);
    previous = idsOf(current);
  });
  return out;
}

export function thinkLayers(params: unknown): WorkflowSpec {
  const p = parseParams(THINK_LAYERS, thinkLayersParams, params);
  return workflow(THINK_LAYERS, p.layers ? customLayers(p, p.layers) : defaultLayers(p));
}
