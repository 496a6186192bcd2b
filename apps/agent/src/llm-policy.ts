/**
 * The llm policy: the configured model drives the agent through the chat
 * loop; each reply's tool calls run together as one child workflow.
 */
import { ErrorCode, ToolError, type Logger } from "@toolmesh/core";
import type { AgentSession } from "./agent-session.js";
import type { LlmSettings } from "./config.js";
import { runChatLoop, type LoopStop } from "./llm/chat-loop.js";
import { createProvider } from "./llm/create-provider.js";
import { toolDefinitions } from "./llm/tool-schemas.js";
import type { SettledBatch } from "./results.js";
import { SessionExecutor } from "./session-executor.js";
import { workflowName } from "./plan-policy.js";

export interface LlmArgs {
  provider?: "anthropic" | "openai" | undefined;
  model?: string | undefined;
  system?: string | undefined;
  maxTurns: number;
}

export const DEFAULT_SYSTEM_PROMPT =
  "You are a toolmesh agent. Reach the user's goal with the tools offered. Calls you make in one reply run in parallel, " +
  "so ask for independent calls together. Stay within your budget; when you have enough, answer with a short final text and no tool calls.";

const NEEDS_PROVIDER =
  "the llm policy needs an LLM: set TOOLMESH_LLM_PROVIDER (anthropic or openai), TOOLMESH_LLM_MODEL, TOOLMESH_LLM_API_KEY and, for a local or non-default server, TOOLMESH_LLM_BASE_URL on the agent service";

export interface LlmRun {
  answer: string;
  batches: SettledBatch[];
  stopReason: LoopStop;
  turns: number;
}

export async function runLlm(
  session: AgentSession,
  goal: string,
  args: LlmArgs,
  settings: LlmSettings | undefined,
  resultChars: number,
  log: Logger,
  progress: (update: Record<string, unknown>) => void,
): Promise<LlmRun> {
  if (!settings) throw new ToolError(ErrorCode.FAILED_PRECONDITION, NEEDS_PROVIDER, { retryable: false });
  if (args.provider && args.provider !== settings.provider) {
    throw new ToolError(
      ErrorCode.FAILED_PRECONDITION,
      `llm.provider "${args.provider}" was asked for but this agent service is configured for "${settings.provider}" (TOOLMESH_LLM_PROVIDER)`,
      { retryable: false },
    );
  }
  const model = args.model ?? settings.model;
  if (!model)
    throw new ToolError(ErrorCode.FAILED_PRECONDITION, "no model: set TOOLMESH_LLM_MODEL on the agent service or pass llm.model", {
      retryable: false,
    });
  const executor = new SessionExecutor(session, workflowName(goal));
  const result = await runChatLoop({
    provider: createProvider(settings),
    model,
    system: args.system ?? DEFAULT_SYSTEM_PROMPT,
    goal,
    tools: toolDefinitions(session.tools),
    maxTurns: args.maxTurns,
    executor,
    tokens: { left: () => session.left().tokens, add: (input, output) => session.addTokens(input, output) },
    signal: session.signal,
    resultChars,
    maxReplyTokens: settings.maxReplyTokens,
    log,
    onTurn: (turn, calls) =>
      progress({
        phase: "llm",
        turn,
        toolCalls: calls,
        calls: session.spent.calls,
        tokens: session.spent.inputTokens + session.spent.outputTokens,
      }),
  });
  return { answer: result.answer, batches: executor.batches, stopReason: result.stopReason, turns: result.turns };
}
