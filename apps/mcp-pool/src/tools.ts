import type { CallToolResult, Tool } from "@modelcontextprotocol/sdk/types.js";
import { CATALOG_KEY, runtimeToolName, type RuntimeToolEntry } from "@toolmesh/catalog";
import { SpanKind, SpanStatusCode } from "@opentelemetry/api";
import { tracer, type McpPoolName, type PoolDefinition } from "@toolmesh/core";
import type { ToolHandler } from "@toolmesh/runtime";
import { resultText, upstreamToolError } from "./errors.js";
import type { UpstreamSession } from "./session.js";

/**
 * An upstream tool as a catalog entry: `<name>.<tool>`, the upstream's
 * own schemas and its annotations (read-only tools are shareable: identical
 * calls in a workflow run once). Undefined for a name NATS KV cannot key.
 */
export function catalogEntry(
  name: string,
  pool: McpPoolName,
  range: PoolDefinition,
  tool: Tool,
  instanceId: string,
): RuntimeToolEntry | undefined {
  const full = runtimeToolName(name, tool.name);
  if (!CATALOG_KEY.test(full)) return undefined;
  const annotations = tool.annotations ?? {};
  return {
    name: full,
    pool,
    upstreamTool: tool.name,
    description: tool.description ?? tool.title ?? annotations.title ?? "",
    inputSchema: tool.inputSchema,
    ...(tool.outputSchema ? { outputSchema: tool.outputSchema } : {}),
    shareable: annotations.readOnlyHint === true,
    // The MCP defaults: a tool not said to be read-only may be destructive and open-world.
    destructive: annotations.readOnlyHint !== true && annotations.destructiveHint !== false,
    openWorld: annotations.openWorldHint !== false,
    minLimit: range.minLimit,
    maxLimit: range.maxLimit,
    instanceId,
    updatedAtMs: Date.now(),
  };
}

/**
 * A call's result as a task output: `text` (the text content joined), the
 * full `content` when it holds more than one item or anything but text
 * (images, resources), and `structured` (structuredContent) when given.
 */
export function resultOutput(result: CallToolResult): Record<string, unknown> {
  const output: Record<string, unknown> = { text: resultText(result) };
  if (result.content.length > 1 || result.content.some((c) => c.type !== "text")) output.content = result.content;
  if (result.structuredContent) output.structured = result.structuredContent;
  return output;
}

/**
 * The runtime's handler for one upstream tool: the call over the session in
 * a client span of its own (under the task's span, so a trace shows the
 * upstream's time apart from toolmesh's), isError results as tool errors.
 */
export function toolHandler(session: UpstreamSession, entry: RuntimeToolEntry): ToolHandler {
  return (args, ctx) =>
    tracer("toolmesh-mcp-pool").startActiveSpan(
      `mcp tools/call ${entry.upstreamTool}`,
      { kind: SpanKind.CLIENT, attributes: { "mcp.pool": entry.pool, "mcp.tool": entry.upstreamTool } },
      async (span) => {
        try {
          const result = await session.callTool(entry.upstreamTool, args, ctx.signal, (update) => ctx.progress(update));
          if (result.isError) throw upstreamToolError(result);
          return resultOutput(result);
        } catch (err) {
          span.setStatus({ code: SpanStatusCode.ERROR, message: err instanceof Error ? err.message : String(err) });
          throw err;
        } finally {
          span.end();
        }
      },
    );
}
