import { ErrorCode, ToolError, abortedError } from "@toolmesh/core";

export function checkAborted(signal: AbortSignal): void {
  if (signal.aborted) throw abortedError(signal);
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
      return new ToolError(
        ErrorCode.PERMISSION_DENIED,
        `${what} became a symlink while it was being opened; symlinks are not followed there`,
        { cause: err },
      );
    default:
      return ToolError.from(err);
  }
}
