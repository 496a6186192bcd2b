import { ServerCredentials } from "@grpc/grpc-js";
import { ConfigError, readTlsFiles } from "@toolmesh/core";
/**
 * The gRPC server's credentials from the configuration, its PEM files read
 * and checked now: a missing file, a bad PEM or a key that is not the
 * certificate's stops start-up with a ConfigError naming the variable, rather
 * than a server whose every handshake fails. With TOOLMESH_GRPC_TLS_CLIENT_CA
 * a client must present a certificate that CA signed (mTLS); the bearer token
 * is checked as well, whichever transport.
 */
export function serverTls(config) {
    const cert = config.TOOLMESH_GRPC_TLS_CERT;
    const key = config.TOOLMESH_GRPC_TLS_KEY;
    const clientCa = config.TOOLMESH_GRPC_TLS_CLIENT_CA;
    const problems = [];
    if (Boolean(cert) !== Boolean(key))
        problems.push("TOOLMESH_GRPC_TLS_CERT and TOOLMESH_GRPC_TLS_KEY: set both (the server's certificate chain and its key), or neither");
    if (clientCa && !(cert && key))
        problems.push("TOOLMESH_GRPC_TLS_CLIENT_CA: mTLS needs TLS: set TOOLMESH_GRPC_TLS_CERT and TOOLMESH_GRPC_TLS_KEY too");
    if (problems.length > 0)
        throw new ConfigError("coordinator", problems);
    if (!cert || !key)
        return { credentials: ServerCredentials.createInsecure(), transport: "plaintext" };
    const files = readTlsFiles({
        cert: { setting: "TOOLMESH_GRPC_TLS_CERT", path: cert },
        key: { setting: "TOOLMESH_GRPC_TLS_KEY", path: key },
        ca: clientCa ? { setting: "TOOLMESH_GRPC_TLS_CLIENT_CA", path: clientCa } : undefined,
    });
    if (files.problems.length > 0 || !files.cert || !files.key)
        throw new ConfigError("coordinator", files.problems);
    const mutual = Boolean(files.ca);
    return {
        credentials: ServerCredentials.createSsl(files.ca ?? null, [{ cert_chain: files.cert, private_key: files.key }], mutual),
        transport: mutual ? "mtls" : "tls",
    };
}
//# sourceMappingURL=tls.js.map