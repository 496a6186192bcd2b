import type { ServiceDefinition } from "@grpc/grpc-js";
/** The service definition with request deserializers that never throw and keep invalid UTF-8 visible. */
export declare function tolerantDecoding<T extends ServiceDefinition>(definition: T): T;
/** Throws INVALID_ARGUMENT (InvalidSpecError) for an undecodable request or one holding invalid UTF-8, naming where. */
export declare function checkDecoded(request: unknown, message: string): void;
