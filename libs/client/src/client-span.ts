import type { StatusObject } from "@grpc/grpc-js";
import { SpanKind, context, trace, type Context, type Span } from "@opentelemetry/api";
import { endRpcSpan, startRpcSpan } from "@toolmesh/core";

/** The gRPC service the client calls (rpc.service). */
const SERVICE = "toolmesh.v1.Coordinator";

/** A CLIENT span for one call, and the context its metadata carries so the server's span is its child. */
export interface ClientSpan {
  span: Span;
  ctx: Context;
  /** Ends the span once with the call's status (later ends are ignored). */
  end(code: number, message?: string): void;
  /** Ends it when a stream reports its final status (grpc-js's "status" event). */
  endOn(stream: { once(event: "status", listener: (status: StatusObject) => void): unknown }): void;
}

export function startClientSpan(method: string, server: { address: string; port?: number }): ClientSpan {
  const span = startRpcSpan({ kind: SpanKind.CLIENT, method: `${SERVICE}/${method}`, server });
  let ended = false;
  const end = (code: number, message?: string): void => {
    if (ended) return;
    ended = true;
    endRpcSpan(span, SpanKind.CLIENT, code, message);
  };
  return {
    span,
    ctx: trace.setSpan(context.active(), span),
    end,
    endOn: (stream) => stream.once("status", (status) => end(status.code, status.details)),
  };
}
