import { credentials, type ChannelCredentials, type ChannelOptions } from "@grpc/grpc-js";
import { ConfigError, readTlsFiles, type PemFileSetting } from "@toolmesh/core";

/** How a client speaks TLS to the coordinator; unset in ClientOptions: plain text. */
export interface ClientTlsOptions {
  /** PEM of the CA(s) that signed the coordinator's certificate; unset: Node's root store. */
  ca?: Buffer | undefined;
  /** The name the coordinator's certificate must carry (and the SNI name) when the address's host is not it. */
  serverName?: string | undefined;
  /** mTLS: this client's certificate chain and key, PEM; both or neither. */
  cert?: Buffer | undefined;
  key?: Buffer | undefined;
}

/**
 * TLS settings as configured — file paths, each with the setting that named
 * it (an environment variable or a flag) so a problem names what to fix.
 */
export interface ClientTlsSettings {
  /** TLS even with no file: trust Node's root store. */
  enabled?: boolean | undefined;
  ca?: PemFileSetting | undefined;
  serverName?: string | undefined;
  cert?: PemFileSetting | undefined;
  key?: PemFileSetting | undefined;
}

/** The environment variables of the TLS settings (documented with grpcClientTlsEnv in @toolmesh/core). */
export const CLIENT_TLS_ENV = {
  enabled: "TOOLMESH_GRPC_TLS",
  ca: "TOOLMESH_GRPC_TLS_CA",
  serverName: "TOOLMESH_GRPC_TLS_SERVER_NAME",
  cert: "TOOLMESH_GRPC_TLS_CLIENT_CERT",
  key: "TOOLMESH_GRPC_TLS_CLIENT_KEY",
} as const;

const set = (value: string | undefined): string | undefined => (value ? value : undefined);

/** The TLS settings in `env` ("" counts as unset). */
export function clientTlsSettingsFromEnv(env: NodeJS.ProcessEnv = process.env): ClientTlsSettings {
  const file = (name: string): PemFileSetting | undefined => (set(env[name]) ? { setting: name, path: env[name]! } : undefined);
  const enabled = set(env[CLIENT_TLS_ENV.enabled]);
  return {
    enabled: enabled === "true" || enabled === "1",
    ca: file(CLIENT_TLS_ENV.ca),
    serverName: set(env[CLIENT_TLS_ENV.serverName]),
    cert: file(CLIENT_TLS_ENV.cert),
    key: file(CLIENT_TLS_ENV.key),
  };
}

/**
 * Reads and checks the files the settings name. Any setting turns TLS on
 * (undefined: none given, plain text). Throws a ConfigError listing every
 * problem: a certificate without its key, an unreadable file, a file that is
 * not PEM, a key that is not the certificate's.
 */
export function loadClientTls(settings: ClientTlsSettings): ClientTlsOptions | undefined {
  const { ca, serverName, cert, key } = settings;
  if (!settings.enabled && !ca && !serverName && !cert && !key) return undefined;
  if (Boolean(cert) !== Boolean(key)) {
    const given = (cert ?? key)!;
    const missing = cert ? "the client key" : "the client certificate";
    throw new ConfigError("gRPC client", [
      `${given.setting}: mTLS needs ${missing} too (${CLIENT_TLS_ENV.cert} and ${CLIENT_TLS_ENV.key}, or --tls-cert and --tls-key): set both or neither`,
    ]);
  }
  const files = readTlsFiles({ ca, cert, key });
  if (files.problems.length > 0) throw new ConfigError("gRPC client", files.problems);
  return { ca: files.ca, serverName, cert: files.cert, key: files.key };
}

/** The channel's credentials: TLS when `tls` is given, else plain text. */
export function channelCredentials(tls: ClientTlsOptions | undefined): ChannelCredentials {
  return tls ? credentials.createSsl(tls.ca ?? null, tls.key ?? null, tls.cert ?? null) : credentials.createInsecure();
}

/** Channel options for a server name override: the name checked in the certificate, sent as SNI and as :authority. */
export function tlsChannelOptions(tls: ClientTlsOptions | undefined): ChannelOptions {
  return tls?.serverName ? { "grpc.ssl_target_name_override": tls.serverName, "grpc.default_authority": tls.serverName } : {};
}

/** The host of a gRPC target ("host:port", "[::1]:port", "dns:///host:port"); undefined for unix sockets. */
export function targetHost(address: string): string | undefined {
  if (/^unix(-abstract)?:/.test(address)) return undefined;
  const bare = address.replace(/^(dns|ipv4|ipv6):(\/\/[^/]*\/)?/, "");
  const bracketed = /^\[([^\]]+)\]/.exec(bare);
  if (bracketed) return bracketed[1]!;
  const colon = bare.lastIndexOf(":");
  return colon > 0 && bare.indexOf(":") === colon ? bare.slice(0, colon) : bare;
}

/** Whether a host name or address is this machine only. */
export function isLoopback(host: string): boolean {
  const h = host.toLowerCase();
  return h === "localhost" || h === "::1" || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(h) || /^::ffff:127\./.test(h);
}

/**
 * A warning when the bearer token would travel in plain text beyond this
 * machine (undefined otherwise). A warning, not a refusal: a private network
 * or a service mesh's own mTLS may protect the path.
 */
export function plaintextTokenWarning(
  address: string,
  options: { token?: string | undefined; tls?: ClientTlsOptions | undefined },
): string | undefined {
  if (!options.token || options.tls) return undefined;
  const host = targetHost(address);
  if (host === undefined || isLoopback(host)) return undefined;
  return (
    `the gRPC bearer token goes to ${address} in plain text: anyone on the path can read it and then run every tool; ` +
    `serve the coordinator with TLS (TOOLMESH_GRPC_TLS_CERT/_KEY) and give this client its CA (${CLIENT_TLS_ENV.ca} or --tls-ca)`
  );
}
