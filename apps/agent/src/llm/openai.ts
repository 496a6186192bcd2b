/**
 * Wire adapter for OpenAI-compatible chat completions (OpenAI, llama.cpp
 * server, Ollama): POST {base}/chat/completions, where the base URL already
 * ends in /v1 (https://api.openai.com/v1, http://127.0.0.1:8080/v1,
 * http://127.0.0.1:11434/v1). The bearer key is optional for local servers.
 * Tool calls carry their arguments as a JSON string; results go back as one
 * {role:"tool", tool_call_id} message per call.
 */
import { ErrorCode, ToolError } from "@toolmesh/core";
import type { HttpProviderOptions } from "./anthropic.js";
import { postJson } from "./http.js";
import { fromWireName, toWireName, wireNameTable } from "./tool-names.js";
import type { ChatMessage, ChatProvider, ChatReply, ChatRequest, StopReason, ToolCall } from "./types.js";

export const OPENAI_DEFAULT_BASE_URL = "https://api.openai.com/v1";
const LABEL = "OpenAI-compatible API";

export function openaiProvider(options: HttpProviderOptions): ChatProvider {
  const url = `${options.baseUrl.replace(/\/+$/, "")}/chat/completions`;
  return {
    name: "openai",
    async send(request: ChatRequest, signal: AbortSignal): Promise<ChatReply> {
      const messages = [...(request.system ? [{ role: "system", content: request.system }] : []), ...request.messages.flatMap(toWire)];
      const body = {
        model: request.model,
        messages,
        ...(request.tools.length
          ? {
              tools: request.tools.map((t) => ({
                type: "function",
                function: { name: toWireName(t.name), description: t.description, parameters: t.schema },
              })),
              parallel_tool_calls: true,
            }
          : {}),
      };
      const headers: Record<string, string> = options.apiKey ? { authorization: `Bearer ${options.apiKey}` } : {};
      const reply = await postJson(url, headers, body, { label: LABEL, timeoutMs: options.timeoutMs, signal });
      return fromWire(reply, wireNameTable(request.tools));
    },
  };
}

function toWire(message: ChatMessage): Record<string, unknown>[] {
  switch (message.role) {
    case "user":
      return [{ role: "user", content: message.text }];
    case "assistant":
      return [
        {
          role: "assistant",
          content: message.text || null,
          ...(message.toolCalls.length
            ? {
                tool_calls: message.toolCalls.map((c) => ({
                  id: c.id,
                  type: "function",
                  function: { name: toWireName(c.tool), arguments: c.rawArgs ?? JSON.stringify(c.args) },
                })),
              }
            : {}),
        },
      ];
    case "tool_results":
      return message.results.map((r) => ({ role: "tool", tool_call_id: r.callId, content: r.content }));
  }
}

function fromWire(raw: unknown, names: ReadonlyMap<string, string>): ChatReply {
  const reply = raw as {
    choices?: Array<{ message?: Record<string, unknown>; finish_reason?: unknown }>;
    usage?: { prompt_tokens?: unknown; completion_tokens?: unknown };
  };
  const choice = Array.isArray(reply?.choices) ? reply.choices[0] : undefined;
  const message = choice?.message;
  if (!message) throw malformed("no choices[0].message");
  const toolCalls: ToolCall[] = [];
  for (const call of Array.isArray(message.tool_calls) ? (message.tool_calls as Array<Record<string, unknown>>) : []) {
    const fn = call.function as { name?: unknown; arguments?: unknown } | undefined;
    if (typeof call.id !== "string" || typeof fn?.name !== "string") throw malformed("a tool call without id or function name");
    toolCalls.push({ id: call.id, tool: fromWireName(fn.name, names), ...parseArguments(fn.arguments) });
  }
  const finish = choice.finish_reason;
  const stop: StopReason = toolCalls.length || finish === "tool_calls" ? "tool_use" : finish === "length" ? "max_tokens" : "end_turn";
  return {
    text: typeof message.content === "string" ? message.content : "",
    toolCalls,
    stop,
    usage: { input: count(reply.usage?.prompt_tokens), output: count(reply.usage?.completion_tokens) },
  };
}

/** The model's JSON-string arguments; broken JSON becomes an argsError the model is told about, not a crash. */
function parseArguments(raw: unknown): Pick<ToolCall, "args" | "argsError" | "rawArgs"> {
  if (typeof raw === "object" && raw !== null && !Array.isArray(raw)) return { args: raw as Record<string, unknown> }; // some local servers send an object
  const text = typeof raw === "string" ? raw : "";
  if (text.trim() === "") return { args: {}, rawArgs: text };
  try {
    const parsed = JSON.parse(text) as unknown;
    if (typeof parsed === "object" && parsed !== null && !Array.isArray(parsed))
      return { args: parsed as Record<string, unknown>, rawArgs: text };
    return { args: {}, rawArgs: text, argsError: "the arguments are not a JSON object" };
  } catch (err) {
    return { args: {}, rawArgs: text, argsError: `the arguments are not valid JSON (${(err as Error).message})` };
  }
}

const count = (v: unknown): number => (typeof v === "number" && Number.isFinite(v) ? v : 0);

function malformed(what: string): ToolError {
  return new ToolError(ErrorCode.UNAVAILABLE, `${LABEL} answered with a malformed message: ${what}`, { retryable: true });
}
