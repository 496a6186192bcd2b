import { ServerInterceptingCall, status, type ServerInterceptingCallInterface, type ServerInterceptor } from "@grpc/grpc-js";
import type { Histogram } from "prom-client";

/** go-grpc-prometheus's label names, plus the status code on the histogram itself. */
export type GrpcServerLabel = "grpc_service" | "grpc_method" | "grpc_type" | "grpc_code";

type GrpcType = "unary" | "client_stream" | "server_stream" | "bidi_stream";

function grpcType(requestStream: boolean, responseStream: boolean): GrpcType {
  if (requestStream) return responseStream ? "bidi_stream" : "client_stream";
  return responseStream ? "server_stream" : "unary";
}

/**
 * The client's own timer runs ahead of ours by the request's trip here, so a
 * client whose deadline passed often resets the stream just before our timer
 * fires; a cancel this close to the deadline is counted as the deadline's.
 */
const DEADLINE_SLACK_MS = 1000;

/** The call's deadline passed (or nearly): grpc-js ends such a call itself, and the interceptor sees only the cancel. */
function deadlineReached(call: ServerInterceptingCallInterface): boolean {
  const deadline = call.getDeadline();
  const at = deadline instanceof Date ? deadline.getTime() : deadline;
  return Number.isFinite(at) && at - Date.now() <= DEADLINE_SLACK_MS;
}

/**
 * A server interceptor that observes each call's handling time, from the
 * moment grpc-js hands it to the server to the status it ends with, in the
 * histogram. It sits on the server, so every service there (Coordinator,
 * health, reflection) and every kind of call is measured the same way; a
 * stream counts once, when it ends. A call the client cancels (or whose
 * deadline passes) sends no status through the interceptor: it is observed
 * as CANCELLED (DEADLINE_EXCEEDED) when grpc-js reports the cancel. The
 * handler's own status for such a call, sent later, is not counted again.
 */
export function grpcServerMetrics(histogram: Histogram<GrpcServerLabel>): ServerInterceptor {
  return (method, call) => {
    const started = process.hrtime.bigint();
    const [, service = "unknown", name = "unknown"] = method.path.split("/");
    const labels = { grpc_service: service, grpc_method: name, grpc_type: grpcType(method.requestStream, method.responseStream) };
    let observed = false;
    const observe = (code: number): void => {
      if (observed) return;
      observed = true;
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      histogram.observe({ ...labels, grpc_code: status[code] ?? String(code) }, seconds);
    };
    return new ServerInterceptingCall(call, {
      start: (next) => next({ onCancel: () => observe(deadlineReached(call) ? status.DEADLINE_EXCEEDED : status.CANCELLED) }),
      sendStatus: (sent, next) => {
        observe(sent.code ?? status.OK);
        next(sent);
      },
    });
  };
}
