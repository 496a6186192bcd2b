import { clientTlsSettingsFromEnv, loadClientTls, type ClientTlsOptions } from "@toolmesh/client";
import type { CommandArgs, FlagSpec } from "@toolmesh/command-line";

/** The TLS flags of a command that talks to the coordinator; each beats its environment variable. */
export interface TlsFlags {
  tls?: boolean | undefined;
  ca?: string | undefined;
  serverName?: string | undefined;
  cert?: string | undefined;
  key?: string | undefined;
}

/** --address and the TLS flags, for every command that reaches the coordinator. */
export const CONNECTION_FLAGS: Record<string, FlagSpec> = {
  address: { type: "string" },
  tls: { type: "boolean" },
  "tls-ca": { type: "string" },
  "tls-server-name": { type: "string" },
  "tls-cert": { type: "string" },
  "tls-key": { type: "string" },
};

export const CONNECTION_USAGE = `  --address HOST:PORT   the coordinator (default: TOOLMESH_ADDRESS, else the
                        running stack's from .toolmesh/stack.json, else 127.0.0.1:50051)
  --tls-ca FILE         TLS to the coordinator, trusting the CA in this PEM file
                        (TOOLMESH_GRPC_TLS_CA; no TLS flag or variable: plain text)
  --tls-server-name NAME  the name the coordinator's certificate carries, when
                        the address's host is not it (TOOLMESH_GRPC_TLS_SERVER_NAME)
  --tls-cert FILE, --tls-key FILE  mTLS: this client's certificate and key
                        (TOOLMESH_GRPC_TLS_CLIENT_CERT, TOOLMESH_GRPC_TLS_CLIENT_KEY)
  --tls                 TLS trusting the system's CAs, with no file (TOOLMESH_GRPC_TLS=true)`;

/** The TLS flags as given on the command line. */
export function tlsFlags(args: CommandArgs): TlsFlags {
  return {
    tls: args.flag("tls"),
    ca: args.string("tls-ca"),
    serverName: args.string("tls-server-name"),
    cert: args.string("tls-cert"),
    key: args.string("tls-key"),
  };
}

/**
 * TLS to the coordinator: each flag beats its environment variable; none of
 * either is plain text. The files are read and checked here, so a bad one is
 * a ConfigError naming the flag or variable before any call.
 */
export function resolveTls(flags: TlsFlags = {}, env: NodeJS.ProcessEnv = process.env): ClientTlsOptions | undefined {
  const fromEnv = clientTlsSettingsFromEnv(env);
  const file = (flag: string, path: string | undefined): { setting: string; path: string } | undefined =>
    path ? { setting: flag, path } : undefined;
  return loadClientTls({
    enabled: Boolean(flags.tls) || fromEnv.enabled,
    ca: file("--tls-ca", flags.ca) ?? fromEnv.ca,
    serverName: flags.serverName || fromEnv.serverName,
    cert: file("--tls-cert", flags.cert) ?? fromEnv.cert,
    key: file("--tls-key", flags.key) ?? fromEnv.key,
  });
}
