import { ErrorCode, McpError, type GetPromptResult, type Prompt } from "@modelcontextprotocol/sdk/types.js";

interface PromptArg {
  name: string;
  description: string;
  required?: boolean;
  /** The tool parameter it becomes, and how its text is read. */
  param: string;
  kind?: "text" | "number" | "lines" | "flag" | "negated-flag";
}

interface PromptSpec {
  name: string;
  tool: string;
  description: string;
  args: PromptArg[];
}

const ROOT: PromptArg = { name: "root", description: "A codebase root of the stack by name (default: the first)", param: "root" };

/** The templates as prompts, with the CLI's parameters (`toolmesh explore-codebase PATH --question ...`) as arguments. */
const PROMPTS: PromptSpec[] = [
  {
    name: "start",
    tool: "start",
    description: "Research a goal: explore the codebase and the web for it together, then one synthesised report.",
    args: [
      { name: "goal", description: "What to research", required: true, param: "goal" },
      { name: "path", description: "A directory inside the root (default: all of it)", param: "path" },
      ROOT,
    ],
  },
  {
    name: "explore-codebase",
    tool: "explore_codebase",
    description: "Explore a source tree in parallel (globs, per-file analysis, greps, reads of the top hits) and report, citing path:line.",
    args: [
      { name: "path", description: "A directory inside the root (default: all of it)", param: "path" },
      ROOT,
      { name: "question", description: "What to look for", param: "question" },
      { name: "max-files", description: "Files to analyse at most (400)", param: "maxFiles", kind: "number" },
      { name: "max-reads", description: "Top hits to read at most (12)", param: "maxReads", kind: "number" },
    ],
  },
  {
    name: "explore-web",
    tool: "explore_web",
    description: "Search the web with many query variants in parallel, fetch and rank the top results, and report, citing URLs.",
    args: [
      { name: "queries", description: "What to search for, one query per line", required: true, param: "queries", kind: "lines" },
      { name: "max-fetch", description: "Pages to fetch at most (10)", param: "maxFetch", kind: "number" },
      { name: "no-variants", description: '"true": search the queries as given, no variants', param: "variants", kind: "negated-flag" },
    ],
  },
  {
    name: "think-layers",
    tool: "think_layers",
    description: "Investigate a goal in layers — gather, analyse, critique, synthesise — each layer in parallel.",
    args: [
      { name: "goal", description: "What to investigate", required: true, param: "goal" },
      { name: "path", description: "The part of the codebase to gather from", param: "path" },
      ROOT,
      { name: "agents", description: '"true": run the layers as agent.run sub-agents', param: "useAgents", kind: "flag" },
    ],
  },
];

export function listPrompts(): Prompt[] {
  return PROMPTS.map((p) => ({
    name: p.name,
    title: `toolmesh ${p.name}`,
    description: p.description,
    arguments: p.args.map((a) => ({ name: a.name, description: a.description, required: a.required ?? false })),
  }));
}

const yes = (text: string): boolean => /^(true|yes|1|on)$/i.test(text.trim());

function paramValue(arg: PromptArg, text: string): unknown {
  switch (arg.kind) {
    case "number": {
      const n = Number(text);
      if (!Number.isInteger(n)) throw new McpError(ErrorCode.InvalidParams, `${arg.name}: expected a whole number, got "${text}"`);
      return n;
    }
    case "lines":
      return text
        .split("\n")
        .map((line) => line.trim())
        .filter(Boolean);
    case "flag":
      return yes(text);
    case "negated-flag":
      return !yes(text);
    default:
      return text;
  }
}

/** prompts/get: a user message that leads the model to call the matching tool with these arguments. */
export function getPrompt(name: string, args: Record<string, string> = {}): GetPromptResult {
  const prompt = PROMPTS.find((p) => p.name === name);
  if (!prompt) throw new McpError(ErrorCode.InvalidParams, `no prompt "${name}"; there are ${PROMPTS.map((p) => p.name).join(", ")}`);
  const params: Record<string, unknown> = {};
  for (const arg of prompt.args) {
    const text = args[arg.name];
    if (text === undefined || text.trim() === "") {
      if (arg.required) throw new McpError(ErrorCode.InvalidParams, `${arg.name} is required: ${arg.description.toLowerCase()}`);
      continue;
    }
    params[arg.param] = paramValue(arg, text);
  }
  const text = [
    `${prompt.description}`,
    "",
    `Call the toolmesh tool \`${prompt.tool}\` with these arguments:`,
    "",
    "```json",
    JSON.stringify(params, null, 2),
    "```",
    "",
    "It runs the whole toolmesh workflow in parallel and returns a Markdown report. Base your answer on that report, citing its paths and URLs; where it is not enough, follow up with toolmesh's own tools (several at once through `parallel`).",
  ].join("\n");
  return { description: prompt.description, messages: [{ role: "user", content: { type: "text", text } }] };
}
