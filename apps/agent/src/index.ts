/**
 * @toolmesh/agent — the agent pool's handler (agent.run) and its parts, for
 * the service's main and for tests.
 *
 *   const config = parseAgentConfig(process.env);
 *   const agent = createAgentHandlers(config);
 *   await startWorker({ pool: "agent", handlers: agent.handlers, ... });
 */
import { ToolmeshClient } from "@toolmesh/client";
import type { ToolHandlers } from "@toolmesh/runtime";
import { createAgentRunHandler } from "./agent-run.js";
import type { AgentConfig } from "./config.js";

export interface AgentHandlers {
  handlers: ToolHandlers;
  client: ToolmeshClient;
  close(): void;
}

/** agent.run over a coordinator client made from the configuration. */
export function createAgentHandlers(config: AgentConfig, warn?: (message: string) => void): AgentHandlers {
  const client = new ToolmeshClient(config.coordinatorAddress, { token: config.grpcToken, tls: config.grpcTls, warn });
  return { handlers: { "agent.run": createAgentRunHandler(client, config) }, client, close: () => client.close() };
}

export { createAgentRunHandler, type AgentRunArgs } from "./agent-run.js";
export { AgentSession } from "./agent-session.js";
export { callsPerChild, checkBatch, childBudget, nothingSpent, remaining, type Budget, type Remaining, type Spent } from "./budget.js";
export { defaultTools, prepareBatch } from "./batch.js";
export { agentConfigSchema, describeConfig, parseAgentConfig, type AgentConfig, type LlmSettings } from "./config.js";
export { anthropicProvider, ANTHROPIC_DEFAULT_BASE_URL } from "./llm/anthropic.js";
export { runChatLoop, type ExecutorCall, type ExecutorResult, type ToolExecutor } from "./llm/chat-loop.js";
export { openaiProvider, OPENAI_DEFAULT_BASE_URL } from "./llm/openai.js";
export { fromWireName, toWireName } from "./llm/tool-names.js";
export { toolDefinitions } from "./llm/tool-schemas.js";
export type { ChatProvider, ChatReply, ChatRequest, ToolDefinition } from "./llm/types.js";
export { planTaskToSpec } from "./plan.js";
export { boundedOutputs, capText, digest, settleWorkflow } from "./results.js";
