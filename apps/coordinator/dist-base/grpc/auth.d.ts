import { type Metadata } from "@grpc/grpc-js";
/** Checks `authorization: Bearer <token>` when the coordinator requires a token. */
export declare function checkToken(expected: string | undefined, metadata: Metadata): void;
