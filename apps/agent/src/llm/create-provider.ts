/** The configured provider's wire adapter. */
import type { LlmSettings } from "../config.js";
import { anthropicProvider } from "./anthropic.js";
import { openaiProvider } from "./openai.js";
import type { ChatProvider } from "./types.js";

export function createProvider(settings: LlmSettings): ChatProvider {
  const options = { baseUrl: settings.baseUrl, apiKey: settings.apiKey, timeoutMs: settings.timeoutMs };
  return settings.provider === "anthropic" ? anthropicProvider(options) : openaiProvider(options);
}
