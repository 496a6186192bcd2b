/**
 * Error codes are gRPC status code names, so a tool's failure crosses NATS as
 * data and surfaces to a gRPC client with the same meaning; the mapping to
 * numeric gRPC codes lives in one place, the coordinator's grpc/status.ts.
 */
export const ErrorCode = {
  INVALID_ARGUMENT: "INVALID_ARGUMENT",
  NOT_FOUND: "NOT_FOUND",
  PERMISSION_DENIED: "PERMISSION_DENIED",
  DEADLINE_EXCEEDED: "DEADLINE_EXCEEDED",
  RESOURCE_EXHAUSTED: "RESOURCE_EXHAUSTED",
  CANCELLED: "CANCELLED",
  FAILED_PRECONDITION: "FAILED_PRECONDITION",
  UNAVAILABLE: "UNAVAILABLE",
  INTERNAL: "INTERNAL",
} as const;
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === "string" && value in ErrorCode;
}

/** Codes worth another attempt: the same call may succeed later. */
const RETRYABLE: ReadonlySet<ErrorCode> = new Set<ErrorCode>([
  ErrorCode.UNAVAILABLE,
  ErrorCode.DEADLINE_EXCEEDED,
  ErrorCode.RESOURCE_EXHAUSTED,
  ErrorCode.INTERNAL,
]);

export interface ToolErrorShape {
  code: ErrorCode;
  message: string;
  retryable: boolean;
}

/** A failure a tool reports on purpose, with a code the caller can act on. */
export class ToolError extends Error {
  override readonly name = "ToolError";
  readonly code: ErrorCode;
  readonly retryable: boolean;

  constructor(code: ErrorCode, message: string, options?: { cause?: unknown; retryable?: boolean }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.retryable = options?.retryable ?? RETRYABLE.has(code);
  }

  toShape(): ToolErrorShape {
    return { code: this.code, message: this.message, retryable: this.retryable };
  }

  /** Any thrown value as a ToolError; unknown errors become INTERNAL. */
  static from(err: unknown): ToolError {
    if (err instanceof ToolError) return err;
    const message = err instanceof Error ? err.message : String(err);
    return new ToolError(ErrorCode.INTERNAL, message, { cause: err });
  }
}

/**
 * The error an aborted call ends with: the signal's reason when it is a
 * ToolError (a deadline or a shutdown says so with its own code), else
 * CANCELLED, since a bare abort() means someone gave up on the call.
 */
export function abortedError(signal: AbortSignal, message = "the call was cancelled"): ToolError {
  return signal.reason instanceof ToolError ? signal.reason : new ToolError(ErrorCode.CANCELLED, message);
}

/** Start-up configuration that does not validate; lists every bad variable. */
export class ConfigError extends Error {
  override readonly name = "ConfigError";
  readonly problems: readonly string[];

  constructor(service: string, problems: readonly string[]) {
    super(`${service}: invalid configuration:\n  - ${problems.join("\n  - ")}`);
    this.problems = problems;
  }
}
