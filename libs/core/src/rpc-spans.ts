import { SpanKind, SpanStatusCode, context, type Attributes, type Context, type Span } from "@opentelemetry/api";
import {
  ATTR_RPC_GRPC_STATUS_CODE,
  ATTR_RPC_METHOD,
  ATTR_RPC_SERVICE,
  ATTR_RPC_STATUS_CODE,
  ATTR_RPC_SYSTEM,
  ATTR_RPC_SYSTEM_NAME,
  ATTR_SERVER_ADDRESS,
  ATTR_SERVER_PORT,
  GRPC_STATUS_NAMES,
} from "./semconv.js";
import { tracer } from "./telemetry.js";

/** Read once: the specification's switch between the two RPC attribute generations (see semconv.ts). */
const stableRpcOnly = (process.env.OTEL_SEMCONV_STABILITY_OPT_IN ?? "")
  .split(",")
  .map((s) => s.trim())
  .includes("rpc");

export interface RpcSpanOptions {
  kind: SpanKind.CLIENT | SpanKind.SERVER;
  /** "package.Service/Method", as gRPC names a method on the wire (without the leading slash). */
  method: string;
  /** The server as the client addressed it (host or IP, and port). */
  server?: { address: string; port?: number | undefined } | undefined;
  parent?: Context;
  attributes?: Attributes;
}

/** `host:port`, `[v6]:port` or a bare host, as a gRPC target or :authority spells it. */
export function splitHostPort(target: string): { address: string; port?: number } {
  const match = /^(?:dns:(?:\/\/[^/]*\/)?)?(\[[^\]]+\]|[^:]+)(?::(\d+))?$/.exec(target);
  if (!match) return { address: target };
  const address = match[1]!.replace(/^\[|\]$/g, "");
  return match[2] ? { address, port: Number(match[2]) } : { address };
}

/**
 * A gRPC CLIENT or SERVER span named, as the conventions ask, after the full
 * method, with the rpc.* and server.* attributes; ended by endRpcSpan.
 */
export function startRpcSpan(options: RpcSpanOptions): Span {
  const slash = options.method.lastIndexOf("/");
  const service = options.method.slice(0, slash);
  const bare = options.method.slice(slash + 1);
  const attributes: Attributes = stableRpcOnly
    ? { [ATTR_RPC_SYSTEM_NAME]: "grpc", [ATTR_RPC_METHOD]: options.method }
    : { [ATTR_RPC_SYSTEM]: "grpc", [ATTR_RPC_SYSTEM_NAME]: "grpc", [ATTR_RPC_SERVICE]: service, [ATTR_RPC_METHOD]: bare };
  if (options.server) {
    attributes[ATTR_SERVER_ADDRESS] = options.server.address;
    if (options.server.port !== undefined) attributes[ATTR_SERVER_PORT] = options.server.port;
  }
  return tracer("toolmesh-grpc").startSpan(
    options.method,
    { kind: options.kind, attributes: { ...attributes, ...options.attributes } },
    options.parent ?? context.active(),
  );
}

/**
 * Ends an RPC span with its gRPC status. Per the conventions a SERVER span
 * is an error only for the codes that mean the server failed (UNKNOWN,
 * DEADLINE_EXCEEDED, UNIMPLEMENTED, INTERNAL, UNAVAILABLE, DATA_LOSS); a
 * CLIENT span for any code but OK.
 */
export function endRpcSpan(span: Span, kind: SpanKind.CLIENT | SpanKind.SERVER, code: number, message?: string): void {
  span.setAttribute(ATTR_RPC_STATUS_CODE, GRPC_STATUS_NAMES[code] ?? String(code));
  if (!stableRpcOnly) span.setAttribute(ATTR_RPC_GRPC_STATUS_CODE, code);
  if (code !== 0 && (kind === SpanKind.CLIENT || SERVER_ERROR_CODES.has(code))) {
    span.setStatus({ code: SpanStatusCode.ERROR, ...(message ? { message } : {}) });
  }
  span.end();
}

const SERVER_ERROR_CODES = new Set([2, 4, 12, 13, 14, 15]);
