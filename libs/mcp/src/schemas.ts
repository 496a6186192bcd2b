/**
 * The input schemas of the tools only toolmesh offers (JSON Schema, as
 * tools/list gives them). The coordinator validates the values again.
 */
type Schema = Record<string, unknown>;

const str = (description: string, extra: Schema = {}): Schema => ({ type: "string", description, ...extra });
const int = (description: string, minimum: number, maximum: number): Schema => ({ type: "integer", description, minimum, maximum });
const ROOT = str("A codebase root of the stack by name (default: the first).");
const PRIORITY = int("0-9; higher goes first when pools are busy.", 0, 9);

const object = (properties: Record<string, Schema>, required: string[] = []): Schema => ({
  type: "object",
  properties,
  ...(required.length ? { required } : {}),
  additionalProperties: false,
});

export const PARALLEL_SCHEMA = object(
  {
    calls: {
      type: "array",
      description: "The calls, run concurrently; results come back in the same order.",
      minItems: 1,
      maxItems: 256,
      items: object(
        {
          tool: str('A toolmesh tool, by its toolmesh name ("code.grep") or its MCP name ("code_grep").'),
          args: { type: "object", description: "The tool's arguments (see its own input schema).", additionalProperties: true },
          timeoutMs: { type: "integer", minimum: 0, description: "Per attempt, queue wait included (0: the coordinator's default)." },
        },
        ["tool"],
      ),
    },
  },
  ["calls"],
);

export const WORKFLOW_SCHEMA = object(
  {
    spec: {
      type: "object",
      description:
        'A WorkflowSpec: {"name", "tasks": [{"id", "tool", "args", "dependsOn", "forEach": {"from", "items"}, "fanIn": {"mode"}, "timeoutMs", "retry"}], "defaultTimeoutMs", "priority", "limits": {"maxConcurrency", "maxCalls"}}. Arguments may take a dependency\'s output: "{{tasks.<id>.field}}"; fan-out items: "{{item}}". End with a synth.report task to get a Markdown report back.',
      required: ["tasks"],
      additionalProperties: true,
    },
  },
  ["spec"],
);

/** The templates as tools: each runs through RunTemplate and returns the report. */
export const TEMPLATE_TOOLS: ReadonlyArray<{ name: string; template: string; description: string; inputSchema: Schema }> = [
  {
    name: "explore_codebase",
    template: "explore-codebase",
    description:
      "Massive parallel discovery of a source tree: globs, an analysis of every source file, greps for the question and for structure, reads of the top hits, then one Markdown report citing path:line.",
    inputSchema: object({
      path: str("A directory inside the root (default: the whole root)."),
      root: ROOT,
      question: str("What to look for."),
      maxFiles: int("Files to analyse at most (400).", 1, 1000),
      maxReads: int("Top hits to read at most (12).", 1, 100),
      priority: PRIORITY,
    }),
  },
  {
    name: "explore_web",
    template: "explore-web",
    description:
      "Many query variants searched in parallel, the top results fetched, deduplicated and ranked, then one Markdown report citing URLs.",
    inputSchema: object(
      {
        queries: { type: "array", items: { type: "string" }, minItems: 1, description: "What to search for." },
        variants: { type: "boolean", description: "Also search variants of the queries (true)." },
        maxFetch: int("Pages to fetch at most (10).", 1, 50),
        priority: PRIORITY,
      },
      ["queries"],
    ),
  },
  {
    name: "think_layers",
    template: "think-layers",
    description: "gather → analyse → critique → synthesise over the codebase, each layer in parallel, then one Markdown report.",
    inputSchema: object(
      {
        goal: str("What to investigate."),
        path: str("The part of the codebase to gather from."),
        root: ROOT,
        useAgents: { type: "boolean", description: "Run the layers as agent.run sub-agents (false)." },
        priority: PRIORITY,
      },
      ["goal"],
    ),
  },
  {
    name: "start",
    template: "start",
    description:
      "explore_codebase over a path and explore_web for the goal together, then one synthesis: the quickest way into a research goal.",
    inputSchema: object(
      {
        goal: str("What to research."),
        path: str("A directory inside the root (default: the whole root)."),
        root: ROOT,
        priority: PRIORITY,
      },
      ["goal"],
    ),
  },
];

/** Names the toolmesh-only tools hold, so that no catalog tool maps onto them. */
export const RESERVED_NAMES = ["parallel", "workflow", ...TEMPLATE_TOOLS.map((t) => t.name)];
