/** A coordinator gRPC failure as a ToolError with the matching code name. */
import { status, type ServiceError } from "@grpc/grpc-js";
import { ErrorCode, ToolError } from "@toolmesh/core";

const CODES: Partial<Record<status, ErrorCode>> = {
  [status.INVALID_ARGUMENT]: ErrorCode.INVALID_ARGUMENT,
  [status.NOT_FOUND]: ErrorCode.NOT_FOUND,
  [status.PERMISSION_DENIED]: ErrorCode.PERMISSION_DENIED,
  [status.RESOURCE_EXHAUSTED]: ErrorCode.RESOURCE_EXHAUSTED,
  [status.FAILED_PRECONDITION]: ErrorCode.FAILED_PRECONDITION,
  [status.DEADLINE_EXCEEDED]: ErrorCode.DEADLINE_EXCEEDED,
  [status.CANCELLED]: ErrorCode.CANCELLED,
  [status.UNAVAILABLE]: ErrorCode.UNAVAILABLE,
};

export function fromGrpcError(err: unknown, what: string): ToolError {
  if (err instanceof ToolError) return err;
  const e = err as Partial<ServiceError>;
  const detail = e.details || e.message || String(err);
  if (e.code === status.UNAUTHENTICATED) {
    return new ToolError(
      ErrorCode.PERMISSION_DENIED,
      `${what}: the coordinator refused the agent's token (check TOOLMESH_GRPC_TOKEN): ${detail}`,
      { retryable: false },
    );
  }
  if (e.code === status.UNIMPLEMENTED) {
    return new ToolError(ErrorCode.FAILED_PRECONDITION, `${what}: the coordinator does not support this yet: ${detail}`, {
      retryable: false,
    });
  }
  const code = (e.code !== undefined && CODES[e.code]) || ErrorCode.INTERNAL;
  return new ToolError(code, `${what}: ${detail}`, { cause: err });
}
