import { status, type ServiceError } from "@grpc/grpc-js";
import { type ErrorCode } from "@toolmesh/core";
export declare function grpcStatusOf(code: ErrorCode): status;
export declare function serviceError(code: status, message: string): ServiceError;
/** Any error thrown by a handler as a gRPC error with a status that fits. */
export declare function toServiceError(err: unknown): ServiceError;
