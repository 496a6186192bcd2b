/**
 * Wire adapter for the Anthropic Messages API: POST {base}/v1/messages with
 * x-api-key and anthropic-version 2023-06-01. Tool calls arrive as
 * `tool_use` content blocks; their results go back in one user message of
 * `tool_result` blocks, matched by tool_use_id.
 */
import { ErrorCode, ToolError } from "@toolmesh/core";
import { postJson } from "./http.js";
import { fromWireName, toWireName, wireNameTable } from "./tool-names.js";
import type { ChatMessage, ChatProvider, ChatReply, ChatRequest, StopReason, ToolCall } from "./types.js";

export const ANTHROPIC_DEFAULT_BASE_URL = "https://api.anthropic.com";
export const ANTHROPIC_VERSION = "2023-06-01";
const LABEL = "Anthropic Messages API";

export interface HttpProviderOptions {
  baseUrl: string;
  apiKey?: string | undefined;
  timeoutMs: number;
}

type Block = { type: "text"; text: string } | { type: "tool_use"; id: string; name: string; input: unknown };

export function anthropicProvider(options: HttpProviderOptions): ChatProvider {
  const url = `${options.baseUrl.replace(/\/+$/, "")}/v1/messages`;
  return {
    name: "anthropic",
    async send(request: ChatRequest, signal: AbortSignal): Promise<ChatReply> {
      const body = {
        model: request.model,
        max_tokens: request.maxTokens,
        ...(request.system ? { system: request.system } : {}),
        messages: request.messages.map(toWire),
        ...(request.tools.length
          ? { tools: request.tools.map((t) => ({ name: toWireName(t.name), description: t.description, input_schema: t.schema })) }
          : {}),
      };
      const headers: Record<string, string> = {
        "anthropic-version": ANTHROPIC_VERSION,
        ...(options.apiKey ? { "x-api-key": options.apiKey } : {}),
      };
      const reply = await postJson(url, headers, body, { label: LABEL, timeoutMs: options.timeoutMs, signal });
      return fromWire(reply, wireNameTable(request.tools));
    },
  };
}

function toWire(message: ChatMessage): Record<string, unknown> {
  switch (message.role) {
    case "user":
      return { role: "user", content: message.text };
    case "assistant": {
      const content: Block[] = [];
      if (message.text) content.push({ type: "text", text: message.text });
      for (const call of message.toolCalls) content.push({ type: "tool_use", id: call.id, name: toWireName(call.tool), input: call.args });
      return { role: "assistant", content };
    }
    case "tool_results":
      return {
        role: "user",
        content: message.results.map((r) => ({
          type: "tool_result",
          tool_use_id: r.callId,
          content: r.content,
          ...(r.isError ? { is_error: true } : {}),
        })),
      };
  }
}

function fromWire(raw: unknown, names: ReadonlyMap<string, string>): ChatReply {
  const reply = raw as { content?: unknown; stop_reason?: unknown; usage?: { input_tokens?: unknown; output_tokens?: unknown } };
  if (!reply || !Array.isArray(reply.content)) throw malformed("no content array");
  const text: string[] = [];
  const toolCalls: ToolCall[] = [];
  for (const block of reply.content as Array<Record<string, unknown>>) {
    if (block.type === "text" && typeof block.text === "string") text.push(block.text);
    if (block.type === "tool_use") {
      if (typeof block.id !== "string" || typeof block.name !== "string") throw malformed("a tool_use block without id or name");
      const input = block.input;
      const ok = typeof input === "object" && input !== null && !Array.isArray(input);
      toolCalls.push({
        id: block.id,
        tool: fromWireName(block.name, names),
        args: ok ? (input as Record<string, unknown>) : {},
        ...(ok ? {} : { argsError: "the tool_use input is not a JSON object" }),
      });
    }
  }
  const stop: StopReason = reply.stop_reason === "tool_use" ? "tool_use" : reply.stop_reason === "max_tokens" ? "max_tokens" : "end_turn";
  return {
    text: text.join("\n"),
    toolCalls,
    stop,
    usage: { input: count(reply.usage?.input_tokens), output: count(reply.usage?.output_tokens) },
  };
}

const count = (v: unknown): number => (typeof v === "number" && Number.isFinite(v) ? v : 0);

function malformed(what: string): ToolError {
  return new ToolError(ErrorCode.UNAVAILABLE, `${LABEL} answered with a malformed message: ${what}`, { retryable: true });
}
