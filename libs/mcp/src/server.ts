import { Server } from "@modelcontextprotocol/sdk/server/index.js";
import {
  CallToolRequestSchema,
  ErrorCode,
  GetPromptRequestSchema,
  ListPromptsRequestSchema,
  ListResourcesRequestSchema,
  ListResourceTemplatesRequestSchema,
  ListToolsRequestSchema,
  McpError,
  ReadResourceRequestSchema,
} from "@modelcontextprotocol/sdk/types.js";
import type { ToolmeshClient } from "@toolmesh/client";
import { ToolCatalog } from "./catalog.js";
import type { ProgressStep } from "./follow.js";
import { getPrompt, listPrompts } from "./prompts.js";
import { listResources, readResource, RESOURCE_TEMPLATES } from "./resources.js";
import { codeName } from "./results.js";
import type { ToolListWatcher } from "./tool-watch.js";
import { ToolCalls } from "./tools.js";

export interface McpServerOptions {
  /** The coordinator; shared by every session of a gateway. */
  client: ToolmeshClient;
  version?: string;
  /** Added to errors when the coordinator cannot be reached: where it was looked for, what to do. */
  unreachableHint?: string | undefined;
  /** Sends notifications/tools/list_changed when it reports a change (shared by a process's sessions). */
  toolWatcher?: ToolListWatcher | undefined;
}

const INSTRUCTIONS = `toolmesh runs tool calls in parallel over worker pools. Its tools are the catalog's (code.grep is code_grep: dots become underscores) plus:
- parallel: many calls at once, results in order, failures kept per call — prefer it to calling tools one by one;
- workflow: a whole DAG of calls (dependencies, fan-out, fan-in), ending in a synth.report for a Markdown report;
- explore_codebase, explore_web, think_layers, start: ready-made workflows that return a report.
Outputs too large to inline come back as resource links (toolmesh://workflows/{id}/tasks/{task}/output) to read with resources/read.`;

/** Failures of list requests as JSON-RPC errors (a tool's own failure is an isError result instead). */
function listError(err: unknown, unreachableHint: string | undefined): McpError {
  if (err instanceof McpError) return err;
  if (typeof err === "object" && err !== null && "code" in err && "details" in err) {
    const code = codeName((err as { code: unknown }).code);
    const hint = code === "UNAVAILABLE" && unreachableHint ? ` (${unreachableHint})` : "";
    return new McpError(ErrorCode.InternalError, `toolmesh coordinator: ${code}: ${String((err as { details: unknown }).details)}${hint}`);
  }
  return new McpError(ErrorCode.InternalError, err instanceof Error ? err.message : String(err));
}

/**
 * One MCP server session over a toolmesh coordinator: tools (the catalog
 * from ListTools plus parallel, workflow and the templates), prompts (the
 * templates) and resources (workflows and large task outputs). Connect it to
 * any transport: stdio for `toolmesh mcp`, streamable HTTP in the gateway
 * (one Server per session, all sharing one client).
 */
export function createToolmeshMcpServer(options: McpServerOptions): Server {
  const { client } = options;
  const server = new Server(
    { name: "toolmesh", title: "toolmesh", version: options.version ?? "0.1.0" },
    { capabilities: { tools: { listChanged: options.toolWatcher !== undefined }, prompts: {}, resources: {} }, instructions: INSTRUCTIONS },
  );
  if (options.toolWatcher) {
    // From the client's initialized notification on, until the session closes.
    const watcher = options.toolWatcher;
    server.oninitialized = () => {
      const unsubscribe = watcher.subscribe(() => void server.sendToolListChanged().catch(() => undefined));
      const previous = server.onclose;
      server.onclose = () => {
        unsubscribe();
        previous?.();
      };
    };
  }
  const orListError = async <T>(work: () => Promise<T>): Promise<T> => {
    try {
      return await work();
    } catch (err) {
      throw listError(err, options.unreachableHint);
    }
  };
  const catalog = new ToolCatalog(client);
  const calls = new ToolCalls(client, catalog);

  server.setRequestHandler(ListToolsRequestSchema, () => orListError(async () => ({ tools: await catalog.list() })));

  server.setRequestHandler(CallToolRequestSchema, async (request, extra) => {
    const progressToken = request.params._meta?.progressToken;
    let last = -1;
    const onProgress =
      progressToken === undefined
        ? undefined
        : (step: ProgressStep): void => {
            // Progress must increase with each notification: repeats of a count are folded away.
            if (step.progress <= last) return;
            last = step.progress;
            void extra
              .sendNotification({
                method: "notifications/progress",
                params: { progressToken, progress: step.progress, total: step.total, message: step.message },
              })
              .catch(() => undefined);
          };
    return calls.call(request.params.name, request.params.arguments ?? {}, { signal: extra.signal, onProgress });
  });

  server.setRequestHandler(ListPromptsRequestSchema, () => ({ prompts: listPrompts() }));
  server.setRequestHandler(GetPromptRequestSchema, (request) => getPrompt(request.params.name, request.params.arguments));

  server.setRequestHandler(ListResourcesRequestSchema, () => orListError(async () => ({ resources: await listResources(client) })));
  server.setRequestHandler(ListResourceTemplatesRequestSchema, () => ({ resourceTemplates: RESOURCE_TEMPLATES }));
  server.setRequestHandler(ReadResourceRequestSchema, (request) => readResource(client, request.params.uri));
  return server;
}
