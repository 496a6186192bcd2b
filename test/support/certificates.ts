import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { generate } from "selfsigned";

/** PEM files of a test PKI, by role. */
export interface TestPki {
  dir: string;
  /** The CA that signed the server and client certificates. */
  caCert: string;
  serverCert: string;
  serverKey: string;
  clientCert: string;
  clientKey: string;
  /** A CA that signed nothing here: trusting it alone must fail. */
  otherCaCert: string;
}

const DAY_MS = 24 * 3600 * 1000;

/**
 * A CA, a server certificate it signed for localhost and 127.0.0.1, a client
 * certificate (clientAuth) it signed, and an unrelated CA — made in process
 * (selfsigned, WebCrypto), so the tests never depend on an openssl binary.
 * EC P-256 keys: fast to make, and as good as RSA for the handshake.
 */
export async function makeTestPki(): Promise<TestPki> {
  const dir = mkdtempSync(join(tmpdir(), "toolmesh-pki-"));
  const validity = { notBeforeDate: new Date(Date.now() - DAY_MS), notAfterDate: new Date(Date.now() + 2 * DAY_MS) };
  const common = { keyType: "ec" as const, curve: "P-256" as const, algorithm: "sha256", ...validity };
  const caExtensions = [
    { name: "basicConstraints" as const, cA: true, critical: true },
    { name: "keyUsage" as const, keyCertSign: true, cRLSign: true, digitalSignature: true, critical: true },
  ];
  const ca = await generate([{ name: "commonName", value: "toolmesh test CA" }], { ...common, extensions: caExtensions });
  const other = await generate([{ name: "commonName", value: "some other CA" }], { ...common, extensions: caExtensions });
  const server = await generate([{ name: "commonName", value: "localhost" }], {
    ...common,
    ca: { key: ca.private, cert: ca.cert },
    extensions: [
      { name: "basicConstraints", cA: false },
      { name: "keyUsage", digitalSignature: true, keyEncipherment: true },
      { name: "extKeyUsage", serverAuth: true },
      {
        name: "subjectAltName",
        altNames: [
          { type: 2, value: "localhost" },
          { type: 2, value: "coordinator.test" },
          { type: 7, ip: "127.0.0.1" },
        ],
      },
    ],
  });
  const client = await generate([{ name: "commonName", value: "toolmesh test client" }], {
    ...common,
    ca: { key: ca.private, cert: ca.cert },
    extensions: [
      { name: "basicConstraints", cA: false },
      { name: "keyUsage", digitalSignature: true, keyEncipherment: true },
      { name: "extKeyUsage", clientAuth: true },
    ],
  });
  const write = (name: string, pem: string): string => {
    const path = join(dir, name);
    writeFileSync(path, pem, { mode: 0o600 });
    return path;
  };
  return {
    dir,
    caCert: write("ca.crt", ca.cert),
    serverCert: write("server.crt", server.cert),
    serverKey: write("server.key", server.private),
    clientCert: write("client.crt", client.cert),
    clientKey: write("client.key", client.private),
    otherCaCert: write("other-ca.crt", other.cert),
  };
}
