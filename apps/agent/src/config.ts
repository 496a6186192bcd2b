/**
 * The agent service's configuration (environment variables, validated at
 * start-up; every bad one is named in one error):
 *
 *   TOOLMESH_COORDINATOR_ADDRESS  host:port of the coordinator's gRPC API (127.0.0.1:50051)
 *   TOOLMESH_GRPC_TOKEN           bearer token when the coordinator requires one
 *   TOOLMESH_GRPC_TLS_CA          PEM file of the CA that signed the coordinator's certificate: TLS (unset and no
 *                                 other TOOLMESH_GRPC_TLS_*: plain text)
 *   TOOLMESH_GRPC_TLS_SERVER_NAME the name the coordinator's certificate carries, when the address's host is not it
 *   TOOLMESH_GRPC_TLS_CLIENT_CERT, TOOLMESH_GRPC_TLS_CLIENT_KEY  mTLS: this client's certificate and key (PEM files)
 *   TOOLMESH_GRPC_TLS             true: TLS trusting Node's root store, with none of the files above (false)
 *   TOOLMESH_LLM_PROVIDER         anthropic | openai | none (none: the llm policy is refused)
 *   TOOLMESH_LLM_BASE_URL         anthropic: https://api.anthropic.com (…/v1/messages is appended);
 *                                 openai: a base that already ends in /v1, e.g. https://api.openai.com/v1,
 *                                 http://127.0.0.1:8080/v1 (llama.cpp), http://127.0.0.1:11434/v1 (Ollama)
 *   TOOLMESH_LLM_API_KEY          required for anthropic; optional for openai-compatible local servers. Never logged.
 *   TOOLMESH_LLM_MODEL            default model; agent.run's llm.model overrides it
 *   TOOLMESH_LLM_TIMEOUT_MS       per LLM request (120000)
 *   TOOLMESH_LLM_MAX_REPLY_TOKENS upper bound on one reply's tokens (4096)
 *   TOOLMESH_AGENT_RESULT_CHARS   characters of one tool result sent back to the model (8000)
 */
import { clientTlsSettingsFromEnv, loadClientTls, type ClientTlsOptions } from "@toolmesh/client";
import { ConfigError, grpcClientTlsEnv, loadConfig } from "@toolmesh/core";
import { z } from "zod";
import { ANTHROPIC_DEFAULT_BASE_URL } from "./llm/anthropic.js";
import { OPENAI_DEFAULT_BASE_URL } from "./llm/openai.js";

const emptyAsUndefined = (v: unknown): unknown => (v === "" ? undefined : v);

export const agentConfigSchema = z
  .object({
    TOOLMESH_COORDINATOR_ADDRESS: z
      .string()
      .regex(/^[^\s:]+:\d{1,5}$/, "expected host:port")
      .default("127.0.0.1:50051"),
    TOOLMESH_GRPC_TOKEN: z.preprocess(emptyAsUndefined, z.string().optional()),
    TOOLMESH_LLM_PROVIDER: z.preprocess(emptyAsUndefined, z.enum(["anthropic", "openai", "none"]).default("none")),
    TOOLMESH_LLM_BASE_URL: z.preprocess(emptyAsUndefined, z.string().url().optional()),
    TOOLMESH_LLM_API_KEY: z.preprocess(emptyAsUndefined, z.string().optional()),
    TOOLMESH_LLM_MODEL: z.preprocess(emptyAsUndefined, z.string().max(128).optional()),
    TOOLMESH_LLM_TIMEOUT_MS: z.coerce.number().int().min(100).default(120_000),
    TOOLMESH_LLM_MAX_REPLY_TOKENS: z.coerce.number().int().min(1).default(4096),
    TOOLMESH_AGENT_RESULT_CHARS: z.coerce.number().int().min(200).default(8000),
  })
  .extend(grpcClientTlsEnv);

export interface LlmSettings {
  provider: "anthropic" | "openai";
  baseUrl: string;
  apiKey?: string | undefined;
  model?: string | undefined;
  timeoutMs: number;
  maxReplyTokens: number;
}

export interface AgentConfig {
  coordinatorAddress: string;
  grpcToken?: string | undefined;
  /** TLS to the coordinator, its files read and checked; unset: plain text. */
  grpcTls?: ClientTlsOptions | undefined;
  /** Unset when TOOLMESH_LLM_PROVIDER is none. */
  llm?: LlmSettings | undefined;
  resultChars: number;
}

export function parseAgentConfig(env: NodeJS.ProcessEnv): AgentConfig {
  // Checked on the raw variables as well as by the schema, so one error lists every problem.
  const keyMissing = env.TOOLMESH_LLM_PROVIDER === "anthropic" && !env.TOOLMESH_LLM_API_KEY;
  const keyProblem = "TOOLMESH_LLM_API_KEY: required when TOOLMESH_LLM_PROVIDER=anthropic";
  let c: z.infer<typeof agentConfigSchema>;
  try {
    c = loadConfig("agent", agentConfigSchema, env);
  } catch (err) {
    if (err instanceof ConfigError && keyMissing) throw new ConfigError("agent", [...err.problems, keyProblem]);
    throw err;
  }
  if (keyMissing) throw new ConfigError("agent", [keyProblem]);
  let grpcTls: ClientTlsOptions | undefined;
  try {
    grpcTls = loadClientTls(clientTlsSettingsFromEnv(env));
  } catch (err) {
    if (err instanceof ConfigError) throw new ConfigError("agent", err.problems);
    throw err;
  }
  const provider = c.TOOLMESH_LLM_PROVIDER;
  return {
    coordinatorAddress: c.TOOLMESH_COORDINATOR_ADDRESS,
    grpcToken: c.TOOLMESH_GRPC_TOKEN,
    grpcTls,
    resultChars: c.TOOLMESH_AGENT_RESULT_CHARS,
    llm:
      provider === "none"
        ? undefined
        : {
            provider,
            baseUrl: c.TOOLMESH_LLM_BASE_URL ?? (provider === "anthropic" ? ANTHROPIC_DEFAULT_BASE_URL : OPENAI_DEFAULT_BASE_URL),
            apiKey: c.TOOLMESH_LLM_API_KEY,
            model: c.TOOLMESH_LLM_MODEL,
            timeoutMs: c.TOOLMESH_LLM_TIMEOUT_MS,
            maxReplyTokens: c.TOOLMESH_LLM_MAX_REPLY_TOKENS,
          },
  };
}

/** The configuration as it may be logged: the API key only as set or not. */
export function describeConfig(config: AgentConfig): Record<string, unknown> {
  return {
    coordinator: config.coordinatorAddress,
    grpcToken: config.grpcToken ? "set" : "unset",
    grpcTransport: !config.grpcTls ? "plaintext" : config.grpcTls.cert ? "mtls" : "tls",
    llm: config.llm
      ? { provider: config.llm.provider, baseUrl: config.llm.baseUrl, model: config.llm.model, apiKey: config.llm.apiKey ? "set" : "unset" }
      : "none",
  };
}
