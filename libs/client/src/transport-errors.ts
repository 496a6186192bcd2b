import { status, type ServiceError } from "@grpc/grpc-js";

/** Marks an error explained here as a TLS problem: the coordinator may be up and refusing this client's handshake. */
const TLS_PROBLEM = Symbol.for("toolmesh.tlsProblem");

interface Explanation {
  match: RegExp;
  /** Applies to a client with TLS (true), without (false), or either (undefined). */
  tls?: boolean;
  say: string;
}

// grpc-js reports a failed handshake as UNAVAILABLE "No connection
// established. Last error: <Node's or OpenSSL's words>"; these say what it
// means for toolmesh and which setting fixes it.
const EXPLANATIONS: Explanation[] = [
  {
    match: /ERR_TLS_CERT_ALTNAME_INVALID|does not match certificate's altnames/,
    tls: true,
    say: "the coordinator's TLS certificate does not carry the name dialled; set the name it carries as TOOLMESH_GRPC_TLS_SERVER_NAME (--tls-server-name)",
  },
  {
    match: /certificate has expired|certificate is not yet valid/,
    tls: true,
    say: "the coordinator's TLS certificate is not valid now (expired or not yet valid)",
  },
  {
    match:
      /unable to verify|self[- ]signed certificate|unable to get (local )?issuer|UNABLE_TO_VERIFY|DEPTH_ZERO_SELF_SIGNED|SELF_SIGNED_CERT/,
    tls: true,
    say: "the coordinator's TLS certificate is not trusted: give this client the CA that signed it (TOOLMESH_GRPC_TLS_CA, --tls-ca)",
  },
  {
    match: /alert certificate required|alert handshake failure|alert bad certificate|alert unknown ca|alert certificate unknown/,
    tls: true,
    say: "the coordinator requires a client certificate signed by its client CA (mTLS) and refused this client's: set TOOLMESH_GRPC_TLS_CLIENT_CERT and TOOLMESH_GRPC_TLS_CLIENT_KEY (--tls-cert, --tls-key)",
  },
  {
    match: /wrong version number|packet length too long|unknown protocol|ECONNRESET/,
    tls: true,
    say: "the coordinator does not speak TLS at this address: drop this client's TLS settings, or serve TLS (TOOLMESH_GRPC_TLS_CERT, TOOLMESH_GRPC_TLS_KEY)",
  },
  {
    match: /Failed to connect|Connection dropped/,
    tls: false,
    say: "something answers at this address but not in plain-text gRPC; if the coordinator serves TLS, give this client its CA (TOOLMESH_GRPC_TLS_CA, --tls-ca)",
  },
];

/**
 * The error with a message saying which TLS setting to fix, when an
 * UNAVAILABLE came from a failed handshake (the same error otherwise). The
 * code stays UNAVAILABLE; grpc-js's words stay in the message.
 */
export function explainTransportError<E>(err: E, tls: boolean): E {
  if (!isServiceError(err) || err.code !== status.UNAVAILABLE || (err as unknown as Record<symbol, unknown>)[TLS_PROBLEM]) return err;
  const details = String(err.details);
  if (!/^No connection established|^Connection dropped|^Failed to connect/.test(details)) return err;
  const hit = EXPLANATIONS.find((e) => (e.tls === undefined || e.tls === tls) && e.match.test(details));
  if (!hit) return err;
  const cause = details
    .replace(/^No connection established\.?\s*(Last error:\s*)?/, "")
    .replace(/\s*\.?\s*Resolution note:.*$/s, "")
    .replace(/\s+/g, " ")
    .trim();
  const explained = `${hit.say} (${cause || details})`;
  err.details = explained;
  err.message = `${status.UNAVAILABLE} UNAVAILABLE: ${explained}`;
  Object.defineProperty(err, TLS_PROBLEM, { value: true });
  return err;
}

/** Whether explainTransportError found a TLS problem in this error: the coordinator answered, the handshake failed. */
export function isTlsProblem(err: unknown): boolean {
  return typeof err === "object" && err !== null && (err as Record<symbol, unknown>)[TLS_PROBLEM] === true;
}

function isServiceError(err: unknown): err is ServiceError {
  return err instanceof Error && "code" in err && "details" in err;
}
