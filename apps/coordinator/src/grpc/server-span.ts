import type { Metadata } from "@grpc/grpc-js";
import { SpanKind, context, trace, type Attributes, type Context, type Span } from "@opentelemetry/api";
import { endRpcSpan, extractTraceMap, splitHostPort, startRpcSpan } from "@toolmesh/core";

/** The gRPC service every coordinator method belongs to (rpc.service). */
export const COORDINATOR_SERVICE = "toolmesh.v1.Coordinator";

/** A SERVER span for one call, ended once with the call's gRPC status (later ends are ignored). */
export interface ServerSpan {
  span: Span;
  /** The context the handler runs in: its spans and log lines belong to this call. */
  ctx: Context;
  end(code: number, message?: string): void;
}

function traceParent(metadata: Metadata): Context {
  const carrier: Record<string, string> = {};
  for (const [key, value] of Object.entries(metadata.getMap())) carrier[key] = String(value);
  return extractTraceMap(carrier);
}

/** client.address/port from grpc-js's peer ("ipv4:127.0.0.1:5123", "ipv6:[::1]:5123", "unix:/path"). */
function clientAttributes(peer: string): Attributes {
  const { address, port } = splitHostPort(peer.replace(/^ipv[46]:/, ""));
  return port === undefined ? { "client.address": address } : { "client.address": address, "client.port": port };
}

/**
 * Starts the SERVER span of a call to `method`, continuing the client's
 * trace (traceparent metadata); server.address/port are the :authority the
 * client dialled.
 */
export function startServerSpan(call: { metadata: Metadata; getHost(): string; getPeer(): string }, method: string): ServerSpan {
  const span = startRpcSpan({
    kind: SpanKind.SERVER,
    method: `${COORDINATOR_SERVICE}/${method}`,
    server: splitHostPort(call.getHost()),
    parent: traceParent(call.metadata),
    attributes: clientAttributes(call.getPeer()),
  });
  let ended = false;
  return {
    span,
    ctx: trace.setSpan(context.active(), span),
    end(code, message) {
      if (ended) return;
      ended = true;
      endRpcSpan(span, SpanKind.SERVER, code, message);
    },
  };
}
