import { ServerCredentials } from "@grpc/grpc-js";
import type { CoordinatorConfig } from "../config.js";
type TlsConfig = Pick<CoordinatorConfig, "TOOLMESH_GRPC_TLS_CERT" | "TOOLMESH_GRPC_TLS_KEY" | "TOOLMESH_GRPC_TLS_CLIENT_CA">;
/** How the gRPC port speaks: plain text, TLS, or TLS that requires a client certificate. */
export type GrpcTransport = "plaintext" | "tls" | "mtls";
export interface ServerTls {
    credentials: ServerCredentials;
    transport: GrpcTransport;
}
/**
 * The gRPC server's credentials from the configuration, its PEM files read
 * and checked now: a missing file, a bad PEM or a key that is not the
 * certificate's stops start-up with a ConfigError naming the variable, rather
 * than a server whose every handshake fails. With TOOLMESH_GRPC_TLS_CLIENT_CA
 * a client must present a certificate that CA signed (mTLS); the bearer token
 * is checked as well, whichever transport.
 */
export declare function serverTls(config: TlsConfig): ServerTls;
export {};
