import { X509Certificate, createPrivateKey, type KeyObject } from "node:crypto";
import { readFileSync } from "node:fs";
import { z } from "zod";

const emptyAsUndefined = (v: unknown): unknown => (v === "" ? undefined : v);
const optionalPath = z.preprocess(emptyAsUndefined, z.string().optional());

/**
 * The environment of every gRPC client of the coordinator (the agent pool,
 * the MCP gateway, the CLI): how it speaks TLS. Any of them set turns TLS on;
 * none set is plain text. A shape, so each service's schema extends it.
 */
export const grpcClientTlsEnv = {
  /** "true": TLS even with none of the files below, trusting Node's root store (a publicly signed coordinator). */
  TOOLMESH_GRPC_TLS: z
    .preprocess(emptyAsUndefined, z.enum(["true", "false", "1", "0"]).default("false"))
    .transform((v) => v === "true" || v === "1"),
  /** PEM file of the CA(s) that signed the coordinator's certificate; unset: Node's root store. */
  TOOLMESH_GRPC_TLS_CA: optionalPath,
  /** The name the coordinator's certificate must carry, when the address's host is not it (an IP, a Service alias). */
  TOOLMESH_GRPC_TLS_SERVER_NAME: z.preprocess(emptyAsUndefined, z.string().max(253).optional()),
  /** mTLS: this client's certificate chain and private key (PEM files); both or neither. */
  TOOLMESH_GRPC_TLS_CLIENT_CERT: optionalPath,
  TOOLMESH_GRPC_TLS_CLIENT_KEY: optionalPath,
};

/** A PEM file and the setting (environment variable or flag) that named it, for messages. */
export interface PemFileSetting {
  setting: string;
  path: string;
}

/** PEM files read and checked, or every problem found, each naming its setting. */
export interface TlsFiles {
  cert?: Buffer;
  key?: Buffer;
  ca?: Buffer;
  problems: string[];
}

const PEM_CERTIFICATE = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g;

/**
 * Reads a certificate/key pair and a CA bundle and checks them the way a TLS
 * handshake would need them: readable, PEM, parseable, the key matching the
 * certificate. Done at start-up so a bad file is one line naming the setting,
 * not a handshake that fails later for every caller.
 */
export function readTlsFiles(files: {
  cert?: PemFileSetting | undefined;
  key?: PemFileSetting | undefined;
  ca?: PemFileSetting | undefined;
}): TlsFiles {
  const problems: string[] = [];
  const read = (file: PemFileSetting): Buffer | undefined => {
    try {
      return readFileSync(file.path);
    } catch (err) {
      problems.push(`${file.setting}: cannot read ${file.path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
      return undefined;
    }
  };
  const certificates = (file: PemFileSetting, pem: Buffer): X509Certificate[] | undefined => {
    const blocks = pem.toString("utf8").match(PEM_CERTIFICATE) ?? [];
    if (blocks.length === 0) {
      problems.push(`${file.setting}: ${file.path} holds no PEM certificate (-----BEGIN CERTIFICATE-----)`);
      return undefined;
    }
    try {
      return blocks.map((block) => new X509Certificate(block));
    } catch (err) {
      problems.push(`${file.setting}: ${file.path} is not a valid PEM certificate: ${(err as Error).message}`);
      return undefined;
    }
  };
  const out: TlsFiles = { problems };
  let leaf: X509Certificate | undefined;
  let key: KeyObject | undefined;
  if (files.cert) {
    const pem = read(files.cert);
    if (pem) {
      leaf = certificates(files.cert, pem)?.[0];
      if (leaf) out.cert = pem;
    }
  }
  if (files.key) {
    const pem = read(files.key);
    if (pem) {
      try {
        key = createPrivateKey(pem);
        out.key = pem;
      } catch (err) {
        problems.push(
          `${files.key.setting}: ${files.key.path} is not a PEM private key (unencrypted PKCS#8, PKCS#1 or SEC1): ${(err as Error).message}`,
        );
      }
    }
  }
  if (leaf && key && files.cert && files.key && !leaf.checkPrivateKey(key)) {
    problems.push(
      `${files.key.setting}: the key in ${files.key.path} does not belong to the certificate in ${files.cert.path} (${files.cert.setting})`,
    );
  }
  if (files.ca) {
    const pem = read(files.ca);
    if (pem && certificates(files.ca, pem)) out.ca = pem;
  }
  return out;
}
