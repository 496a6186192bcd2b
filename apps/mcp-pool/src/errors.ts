import { ErrorCode as McpErrorCode, McpError, type CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import { ErrorCode, ToolError } from "@toolmesh/core";

/**
 * An upstream tool's own failure (a result with isError) as a tool error:
 * the code read from the upstream's text, the text itself as the message.
 * Servers say what went wrong only in prose, so the reading is by the
 * phrases servers use (Node's errno names included); a failure none of them
 * matches is FAILED_PRECONDITION: the tool refused, and the same call would
 * fail again, so it is not retried.
 */
const BY_TEXT: ReadonlyArray<[RegExp, ErrorCode]> = [
  [/\b(ENOENT|no such file|not found|does not exist|unknown tool)\b/i, ErrorCode.NOT_FOUND],
  [
    /\b(EACCES|EPERM|access denied|permission denied|outside (the )?allowed|not allowed|forbidden|unauthori[sz]ed)\b/i,
    ErrorCode.PERMISSION_DENIED,
  ],
  [/\b(invalid (arguments?|params|input)|input validation|validation error|-32602|expected .* received)\b/i, ErrorCode.INVALID_ARGUMENT],
  [/\b(timed? ?out|ETIMEDOUT)\b/i, ErrorCode.DEADLINE_EXCEEDED],
  [/\b(rate limit|too many requests|EMFILE|ENOSPC|quota)\b/i, ErrorCode.RESOURCE_EXHAUSTED],
  [/\b(ECONNREFUSED|ECONNRESET|temporarily unavailable|try again|service unavailable)\b/i, ErrorCode.UNAVAILABLE],
];

export function resultText(result: CallToolResult): string {
  return result.content
    .filter((c): c is Extract<CallToolResult["content"][number], { type: "text" }> => c.type === "text")
    .map((c) => c.text)
    .join("\n");
}

/** The task (and a CallTool's status) already names the tool: the message is the upstream's own. */
export function upstreamToolError(result: CallToolResult): ToolError {
  const text = resultText(result).trim() || "the upstream reported an error without text";
  const code = BY_TEXT.find(([pattern]) => pattern.test(text))?.[1] ?? ErrorCode.FAILED_PRECONDITION;
  return new ToolError(code, text.slice(0, 4000));
}

/**
 * A failed request to the upstream. Protocol errors keep their meaning;
 * a closed connection (the server exited or was killed mid-call), a failed
 * send or fetch are UNAVAILABLE, which the coordinator retries by the
 * task's policy while the instance restarts its upstream.
 */
export function requestError(err: unknown): ToolError {
  if (err instanceof ToolError) return err;
  const message = err instanceof Error ? err.message : String(err);
  if (err instanceof McpError) {
    // McpError carries a plain number; the known ones are McpErrorCode values.
    switch (err.code as McpErrorCode) {
      case McpErrorCode.ConnectionClosed:
        return new ToolError(
          ErrorCode.UNAVAILABLE,
          `the upstream server's connection closed during the call (${message}); it is being restarted`,
          { cause: err },
        );
      case McpErrorCode.RequestTimeout:
        return new ToolError(ErrorCode.DEADLINE_EXCEEDED, message, { cause: err });
      case McpErrorCode.InvalidParams:
      case McpErrorCode.InvalidRequest:
        return new ToolError(ErrorCode.INVALID_ARGUMENT, message, { cause: err });
      case McpErrorCode.MethodNotFound:
        return new ToolError(ErrorCode.NOT_FOUND, message, { cause: err });
      default:
        return new ToolError(ErrorCode.INTERNAL, message, { cause: err });
    }
  }
  return new ToolError(ErrorCode.UNAVAILABLE, `the upstream server could not be reached (${message})`, { cause: err });
}
