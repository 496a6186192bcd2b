/**
 * The provider-neutral tool-use loop: send the conversation, run every tool
 * call of the reply together as one batch, feed the results back, repeat
 * until the model stops calling tools, the turns run out or the token budget
 * is spent. Calls the model may not make (unknown tools, unreadable
 * arguments) are answered with an error the model can read, not run.
 */
import { ErrorCode, type Logger } from "@toolmesh/core";
import { capText } from "../results.js";
import type { ChatMessage, ChatProvider, ToolCall, ToolDefinition, ToolResult } from "./types.js";

/** One call to run: the model's call id, a catalog tool name and its arguments. */
export interface ExecutorCall {
  id: string;
  tool: string;
  args: Record<string, unknown>;
}

export type ExecutorResult =
  { id: string; ok: true; output: Record<string, unknown> } | { id: string; ok: false; error: { code: string; message: string } };

/**
 * Runs one batch of calls together. The agent's executor submits them as one
 * child workflow; it throws (ToolError) only when the batch as a whole is
 * refused, e.g. over the call budget.
 */
export interface ToolExecutor {
  run(calls: ExecutorCall[], signal: AbortSignal): Promise<ExecutorResult[]>;
}

/** The token budget as the loop sees it. */
export interface TokenMeter {
  left(): number;
  add(input: number, output: number): void;
}

export interface ChatLoopOptions {
  provider: ChatProvider;
  model: string;
  system?: string | undefined;
  goal: string;
  tools: ToolDefinition[];
  maxTurns: number;
  executor: ToolExecutor;
  tokens: TokenMeter;
  signal: AbortSignal;
  /** Characters of one tool result sent back to the model. */
  resultChars: number;
  /** Upper bound on one reply's tokens. */
  maxReplyTokens: number;
  log?: Logger | undefined;
  onTurn?: (turn: number, calls: number) => void;
}

export type LoopStop = "end_turn" | "max_tokens" | "max_turns" | "budget";

export interface ChatLoopResult {
  answer: string;
  turns: number;
  toolCalls: number;
  stopReason: LoopStop;
  messages: ChatMessage[];
}

export async function runChatLoop(options: ChatLoopOptions): Promise<ChatLoopResult> {
  const messages: ChatMessage[] = [{ role: "user", text: options.goal }];
  const offered = new Set(options.tools.map((t) => t.name));
  let answer = "";
  let toolCalls = 0;
  for (let turn = 1; turn <= options.maxTurns; turn++) {
    const tokensLeft = options.tokens.left();
    if (tokensLeft <= 0) return { answer, turns: turn - 1, toolCalls, stopReason: "budget", messages };
    const reply = await options.provider.send(
      {
        model: options.model,
        system: options.system,
        messages,
        tools: options.tools,
        maxTokens: Math.min(options.maxReplyTokens, tokensLeft),
      },
      options.signal,
    );
    options.tokens.add(reply.usage.input, reply.usage.output);
    messages.push({ role: "assistant", text: reply.text, toolCalls: reply.toolCalls });
    if (reply.text) answer = reply.text;
    options.log?.info({ turn, toolCalls: reply.toolCalls.length, stop: reply.stop, usage: reply.usage }, "llm turn");
    options.onTurn?.(turn, reply.toolCalls.length);
    if (reply.toolCalls.length === 0)
      return { answer, turns: turn, toolCalls, stopReason: reply.stop === "max_tokens" ? "max_tokens" : "end_turn", messages };
    toolCalls += reply.toolCalls.length;
    messages.push({ role: "tool_results", results: await runCalls(reply.toolCalls, offered, options) });
  }
  return { answer, turns: options.maxTurns, toolCalls, stopReason: "max_turns", messages };
}

/** Runs the runnable calls as one batch; answers the others with errors. Results keep the calls' order. */
async function runCalls(calls: ToolCall[], offered: ReadonlySet<string>, options: ChatLoopOptions): Promise<ToolResult[]> {
  const refused = new Map<string, string>();
  for (const call of calls) {
    if (call.argsError) refused.set(call.id, `${ErrorCode.INVALID_ARGUMENT}: ${call.argsError}; send the arguments again as a JSON object`);
    else if (!offered.has(call.tool))
      refused.set(call.id, `${ErrorCode.PERMISSION_DENIED}: "${call.tool}" is not one of the tools offered to you`);
  }
  const runnable = calls.filter((c) => !refused.has(c.id)).map((c) => ({ id: c.id, tool: c.tool, args: c.args }));
  const results = new Map((runnable.length ? await options.executor.run(runnable, options.signal) : []).map((r) => [r.id, r]));
  return calls.map((call): ToolResult => {
    const error = refused.get(call.id);
    if (error) return { callId: call.id, content: error, isError: true };
    const result = results.get(call.id);
    if (!result) return { callId: call.id, content: `${ErrorCode.INTERNAL}: the call produced no result`, isError: true };
    if (!result.ok) return { callId: call.id, content: `${result.error.code}: ${result.error.message}`, isError: true };
    return { callId: call.id, content: capText(result.output, options.resultChars), isError: false };
  });
}
