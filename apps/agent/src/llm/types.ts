/**
 * The provider-neutral shape of a tool-using chat: what the chat loop speaks.
 * Each wire adapter (anthropic.ts, openai.ts) turns it into its API's format
 * and back, so the loop never sees a provider's JSON.
 */

/** A tool call the model asked for; `tool` is the catalog name (code.grep). */
export interface ToolCall {
  id: string;
  tool: string;
  args: Record<string, unknown>;
  /** Set when the model's arguments could not be read; the call is answered with this error, not run. */
  argsError?: string;
  /** The arguments exactly as the model sent them, echoed back in the history (OpenAI's JSON string). */
  rawArgs?: string;
}

export interface ToolResult {
  callId: string;
  content: string;
  isError: boolean;
}

export type ChatMessage =
  | { role: "user"; text: string }
  | { role: "assistant"; text: string; toolCalls: ToolCall[] }
  | { role: "tool_results"; results: ToolResult[] };

/** A tool as offered to the model; `name` is the catalog name, adapters map it to a wire name. */
export interface ToolDefinition {
  name: string;
  description: string;
  /** JSON Schema of the arguments (an object schema). */
  schema: Record<string, unknown>;
}

export interface ChatRequest {
  model: string;
  system?: string | undefined;
  messages: ChatMessage[];
  tools: ToolDefinition[];
  /** Upper bound on the reply's tokens (Anthropic requires one). */
  maxTokens: number;
}

export type StopReason = "tool_use" | "end_turn" | "max_tokens";

export interface ChatReply {
  text: string;
  toolCalls: ToolCall[];
  stop: StopReason;
  usage: { input: number; output: number };
}

export interface ChatProvider {
  readonly name: "anthropic" | "openai";
  send(request: ChatRequest, signal: AbortSignal): Promise<ChatReply>;
}
