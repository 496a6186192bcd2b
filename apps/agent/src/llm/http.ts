/**
 * One JSON POST to an LLM API with a timeout, and its failures as ToolErrors
 * the caller can act on: a refused key, a rate limit (with Retry-After), an
 * outage, a timeout. The API key is sent in headers only, never logged or
 * put in an error message.
 */
import { ErrorCode, ToolError, abortedError } from "@toolmesh/core";
import { AGENT_CANCELLED } from "../child-workflows.js";

export interface PostOptions {
  /** "Anthropic Messages API", "OpenAI-compatible API": named in errors. */
  label: string;
  timeoutMs: number;
  signal: AbortSignal;
}

export async function postJson(url: string, headers: Record<string, string>, body: unknown, options: PostOptions): Promise<unknown> {
  const timeout = AbortSignal.timeout(options.timeoutMs);
  const signal = AbortSignal.any([options.signal, timeout]);
  let text: string;
  let response: Response;
  try {
    response = await fetch(url, {
      method: "POST",
      headers: { "content-type": "application/json", ...headers },
      body: JSON.stringify(body),
      signal,
    });
    text = await response.text();
  } catch (err) {
    if (options.signal.aborted) throw abortedError(options.signal, AGENT_CANCELLED);
    if (timeout.aborted) {
      throw new ToolError(
        ErrorCode.DEADLINE_EXCEEDED,
        `${options.label} did not answer within ${options.timeoutMs} ms (TOOLMESH_LLM_TIMEOUT_MS)`,
        { retryable: true },
      );
    }
    throw new ToolError(
      ErrorCode.UNAVAILABLE,
      `${options.label} at ${url} is unreachable: ${(err as Error).message} (check TOOLMESH_LLM_BASE_URL)`,
      { retryable: true, cause: err },
    );
  }
  if (!response.ok) throw httpError(response.status, response.headers.get("retry-after"), text, options.label);
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new ToolError(
      ErrorCode.UNAVAILABLE,
      `${options.label} answered HTTP ${response.status} with a body that is not JSON: ${text.slice(0, 200)}`,
      { retryable: true },
    );
  }
}

/** The provider's own error message ({"error": {"message"}} in both APIs), cut short. */
function providerMessage(text: string): string {
  try {
    const parsed = JSON.parse(text) as { error?: { message?: unknown } | string; message?: unknown };
    const message = typeof parsed.error === "string" ? parsed.error : (parsed.error?.message ?? parsed.message);
    if (typeof message === "string") return message.slice(0, 500);
  } catch {
    // not JSON: use the text
  }
  return text.slice(0, 500);
}

export function httpError(statusCode: number, retryAfter: string | null, text: string, label: string): ToolError {
  const said = providerMessage(text);
  const what = `${label} answered HTTP ${statusCode}${said ? `: ${said}` : ""}`;
  if (statusCode === 401 || statusCode === 403) {
    return new ToolError(ErrorCode.PERMISSION_DENIED, `${what} (check TOOLMESH_LLM_API_KEY)`, { retryable: false });
  }
  if (statusCode === 429) {
    const wait = retryAfter ? `; retry after ${retryAfter} s` : "";
    return new ToolError(ErrorCode.RESOURCE_EXHAUSTED, `${what} (rate limited${wait})`, { retryable: true });
  }
  if (statusCode >= 500) return new ToolError(ErrorCode.UNAVAILABLE, what, { retryable: true });
  if (statusCode === 404)
    return new ToolError(ErrorCode.FAILED_PRECONDITION, `${what} (check TOOLMESH_LLM_BASE_URL and the model name)`, { retryable: false });
  if (statusCode === 408) return new ToolError(ErrorCode.DEADLINE_EXCEEDED, what, { retryable: true });
  return new ToolError(ErrorCode.INVALID_ARGUMENT, what, { retryable: false });
}
