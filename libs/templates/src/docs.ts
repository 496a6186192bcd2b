import type { TemplateName } from "./registry.js";

/** One parameter of a template, for help texts and docs. */
export interface ParamDoc {
  name: string;
  type: string;
  required: boolean;
  default?: unknown;
  description: string;
}

export interface TemplateDoc {
  name: TemplateName;
  summary: string;
  params: readonly ParamDoc[];
  stages: readonly string[];
}

/** Each template's parameters and stages (docs/templates.md says more). */
export const TEMPLATE_DOCS: Readonly<Record<TemplateName, TemplateDoc>> = {
  "explore-codebase": {
    name: "explore-codebase",
    summary:
      "Massive parallel discovery of a codebase: globs per language family, code.analyze of every source file, greps for the question's words and for structure, ranking, reads of the top hits, one report.",
    params: [
      {
        name: "path",
        type: "string",
        required: false,
        default: ".",
        description: 'Directory to explore, relative to the root (absolute paths and ".." escapes are refused).',
      },
      {
        name: "root",
        type: "string",
        required: false,
        description: "Name of a configured codebase root (toolmesh up --root NAME=DIR); the service's first root when omitted.",
      },
      {
        name: "question",
        type: "string",
        required: false,
        description: "What to look for: its words are grepped for (literal, ignoring case) and it ranks the hits.",
      },
      {
        name: "maxFiles",
        type: "integer 1..1000",
        required: false,
        default: 400,
        description: "Source files analysed at most (code.analyze fan-out cap).",
      },
      {
        name: "maxReads",
        type: "integer 1..100",
        required: false,
        default: 12,
        description: "Top-ranked hits read at most (code.read fan-out cap).",
      },
    ],
    stages: ["discover", "analyse", "search", "rank", "read", "report"],
  },
  "explore-web": {
    name: "explore-web",
    summary:
      "Many web searches in parallel, merged, deduplicated by URL and ranked; the top pages fetched under a deadline, deduplicated by content, one report citing URLs.",
    params: [
      {
        name: "queries",
        type: "string[] (1..16, each ≤ 480 chars)",
        required: true,
        description: "Search queries; the first one ranks the results.",
      },
      {
        name: "variants",
        type: "boolean",
        required: false,
        default: true,
        description: 'Also search each query as a "quoted phrase", "<q> documentation" and "<q> example".',
      },
      {
        name: "maxFetch",
        type: "integer 1..50",
        required: false,
        default: 10,
        description: "Top-ranked pages fetched at most (web.fetch fan-out cap).",
      },
      {
        name: "fetchDeadlineMs",
        type: "integer 1000..300000",
        required: false,
        default: 20000,
        description: "The fetch stage keeps what arrived this long after it started; slower pages are dropped.",
      },
    ],
    stages: ["search", "rank", "fetch", "dedupe", "report"],
  },
  "think-layers": {
    name: "think-layers",
    summary:
      "Staged analysis: each layer's tasks run in parallel, fed by the previous layer. Default layers gather → analyse → critique → synthesise, built from the goal; or custom layers.",
    params: [
      {
        name: "goal",
        type: "string",
        required: true,
        description: "What to investigate: its words are grepped for and searched on the web; it titles the report.",
      },
      {
        name: "path",
        type: "string",
        required: false,
        description: "Directory relative to the codebase root; without it (or root) the default layers use the web only.",
      },
      {
        name: "root",
        type: "string",
        required: false,
        description: "Name of a configured codebase root (toolmesh up --root NAME=DIR); with no path, the whole root.",
      },
      {
        name: "layers",
        type: "{name, tasks: {id?, tool, args, forEach?, fanIn?, timeoutMs?}[]}[] (1..16)",
        required: false,
        description:
          "Custom layers replacing the default ones: every task of a layer depends on every task of the previous layer (ALL_SETTLED unless fanIn says otherwise).",
      },
      {
        name: "useAgents",
        type: "boolean",
        required: false,
        default: false,
        description: "Add an agent.run (LLM policy, small budget, read-only tools) to every layer after the first.",
      },
      {
        name: "maxHits",
        type: "integer 1..50",
        required: false,
        default: 8,
        description: "Top hits each analysis fan-out takes (default layers).",
      },
    ],
    stages: ["gather", "analyse", "critique", "synthesise"],
  },
  start: {
    name: "start",
    summary:
      "explore-codebase and explore-web together in one workflow (ids prefixed code-/web-), then a correlation of code and web records and one report.",
    params: [
      { name: "goal", type: "string", required: true, description: "The question, asked of the codebase and of the web." },
      { name: "path", type: "string", required: false, default: ".", description: "Directory to explore, relative to the codebase root." },
      {
        name: "root",
        type: "string",
        required: false,
        description: "Name of a configured codebase root (toolmesh up --root NAME=DIR); the service's first root when omitted.",
      },
    ],
    stages: [
      "code:discover",
      "code:analyse",
      "code:search",
      "code:rank",
      "code:read",
      "web:search",
      "web:rank",
      "web:fetch",
      "web:dedupe",
      "synthesis",
    ],
  },
};
