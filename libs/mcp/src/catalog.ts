import type { Tool } from "@modelcontextprotocol/sdk/types.js";
import type { ToolInfo, ToolmeshClient } from "@toolmesh/client";
import { ToolNameMap } from "./names.js";
import { PARALLEL_SCHEMA, RESERVED_NAMES, TEMPLATE_TOOLS, WORKFLOW_SCHEMA } from "./schemas.js";

/** The tools only toolmesh offers, first in tools/list. */
function ownTools(): Tool[] {
  return [
    {
      name: "parallel",
      title: "Run tool calls in parallel",
      description:
        "Runs many toolmesh tool calls at once over its worker pools and returns every result in the order given. One call's failure does not fail the others: each result is {tool, ok, output}, {tool, ok, outputRef: {uri, bytes}} for an output too large to inline (read it with resources/read), or {tool, ok: false, error: {code, message}}. Cancelling the request cancels every call. Use it instead of calling tools one after another.",
      inputSchema: PARALLEL_SCHEMA as Tool["inputSchema"],
      annotations: { title: "Run tool calls in parallel", openWorldHint: true },
    },
    {
      name: "workflow",
      title: "Run a workflow",
      description:
        "Runs a whole toolmesh workflow (a DAG of tool calls with dependencies, fan-out over a task's output and fan-in) and returns its result: the final synth.report's Markdown when it ends with one, else every task's outcome.",
      inputSchema: WORKFLOW_SCHEMA as Tool["inputSchema"],
      annotations: { title: "Run a workflow", openWorldHint: true },
    },
    ...TEMPLATE_TOOLS.map((t) => ({
      name: t.name,
      title: t.template,
      description: `${t.description} (toolmesh template ${t.template})`,
      inputSchema: t.inputSchema as Tool["inputSchema"],
      annotations: {
        title: t.template,
        readOnlyHint: t.template !== "think-layers" || undefined,
        openWorldHint: t.template !== "explore-codebase",
      },
    })),
  ];
}

/** A catalog tool as an MCP tool: its input schema, description, and hints from its flags. */
function mcpTool(name: string, tool: ToolInfo): Tool {
  return {
    name,
    title: tool.name,
    description: `${tool.description}${tool.description.endsWith(".") ? "" : "."} (toolmesh tool ${tool.name}, pool ${tool.pool})`,
    inputSchema: { type: "object", ...tool.argsSchema },
    annotations: {
      title: tool.name,
      readOnlyHint: tool.shareable && !tool.destructive,
      destructiveHint: tool.destructive,
      idempotentHint: tool.shareable,
      openWorldHint: tool.openWorld,
    },
  };
}

/**
 * The coordinator's tools (ListTools: the catalog and whatever pools add)
 * and the MCP names they go by. Each tools/list builds the map anew; a call
 * of a name the last list does not know lists again first.
 */
export class ToolCatalog {
  readonly #client: ToolmeshClient;
  #names: ToolNameMap = new ToolNameMap([], RESERVED_NAMES);

  constructor(client: ToolmeshClient) {
    this.#client = client;
  }

  async list(): Promise<Tool[]> {
    const tools = await this.#client.listTools();
    this.#names = new ToolNameMap(
      tools.map((t) => t.name),
      RESERVED_NAMES,
    );
    return [...ownTools(), ...tools.map((t) => mcpTool(this.#names.mcpName(t.name)!, t))];
  }

  /** The toolmesh tool an MCP name stands for; lists again when it is not known yet. */
  async toolmeshName(mcpName: string): Promise<string | undefined> {
    const known = this.#names.toolmeshName(mcpName);
    if (known) return known;
    await this.list();
    return this.#names.toolmeshName(mcpName);
  }

  /** A tool named in `parallel` or `workflow`: a toolmesh name as is, an MCP name mapped back. */
  resolveSync(name: string): string {
    return this.#names.toolmeshName(name) ?? name;
  }

  /** Makes sure a list was taken, so resolveSync knows the MCP names. */
  async ensure(): Promise<void> {
    if (this.#names.entries().length === 0) await this.list();
  }
}
