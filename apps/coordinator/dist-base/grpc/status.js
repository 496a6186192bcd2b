import { Metadata, status } from "@grpc/grpc-js";
import { ToolError } from "@toolmesh/core";
import { InvalidSpecError, SpecTooLargeError } from "@toolmesh/spec";
import { ParentDeniedError, WorkflowNotFoundError } from "../workflow/errors.js";
/** The one place where toolmesh error codes become gRPC status codes. */
const GRPC_STATUS = {
    INVALID_ARGUMENT: status.INVALID_ARGUMENT,
    NOT_FOUND: status.NOT_FOUND,
    PERMISSION_DENIED: status.PERMISSION_DENIED,
    DEADLINE_EXCEEDED: status.DEADLINE_EXCEEDED,
    RESOURCE_EXHAUSTED: status.RESOURCE_EXHAUSTED,
    CANCELLED: status.CANCELLED,
    FAILED_PRECONDITION: status.FAILED_PRECONDITION,
    UNAVAILABLE: status.UNAVAILABLE,
    INTERNAL: status.INTERNAL,
};
export function grpcStatusOf(code) {
    return GRPC_STATUS[code];
}
export function serviceError(code, message) {
    return Object.assign(new Error(message), { code, details: message, metadata: new Metadata() });
}
/** Any error thrown by a handler as a gRPC error with a status that fits. */
export function toServiceError(err) {
    if (err instanceof InvalidSpecError)
        return serviceError(status.INVALID_ARGUMENT, err.message);
    if (err instanceof SpecTooLargeError)
        return serviceError(status.RESOURCE_EXHAUSTED, err.message);
    if (err instanceof ParentDeniedError)
        return serviceError(status.PERMISSION_DENIED, err.message);
    if (err instanceof WorkflowNotFoundError)
        return serviceError(status.NOT_FOUND, err.message);
    if (err instanceof ToolError)
        return serviceError(grpcStatusOf(err.code), err.message);
    if (typeof err === "object" && err !== null && "code" in err && typeof err.code === "number" && "details" in err) {
        return err;
    }
    return serviceError(status.INTERNAL, err instanceof Error ? err.message : String(err));
}
//# sourceMappingURL=status.js.map