import { ErrorCode, ToolError } from "@toolmesh/core";

/** The error for an aborted call: the abort reason when it is a ToolError (e.g. a deadline), else CANCELLED. */
export function cancelledError(signal: AbortSignal): ToolError {
  return signal.reason instanceof ToolError ? signal.reason : new ToolError(ErrorCode.CANCELLED, "the call was cancelled");
}

export function checkAborted(signal: AbortSignal): void {
  if (signal.aborted) throw cancelledError(signal);
}

/**
 * File-system errors that reach a handler (a file removed or made unreadable
 * between listing and opening it) as ToolErrors with a code a caller can act on.
 */
export function fsToolError(err: unknown, what: string): ToolError {
  if (err instanceof ToolError) return err;
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  switch (code) {
    case "ENOENT":
    case "ENOTDIR":
      return new ToolError(ErrorCode.NOT_FOUND, `${what} does not exist`, { cause: err });
    case "EACCES":
    case "EPERM":
      return new ToolError(ErrorCode.PERMISSION_DENIED, `${what} is not readable by the codebase service`, { cause: err });
    case "ELOOP":
      return new ToolError(ErrorCode.PERMISSION_DENIED, `${what} became a symlink while it was being opened; symlinks are not followed there`, { cause: err });
    default:
      return ToolError.from(err);
  }
}
