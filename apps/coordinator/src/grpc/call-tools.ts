import { status, type ServerDuplexStream } from "@grpc/grpc-js";
import type { BatchedAnswer, CallToolRequest, CallToolsRequest, CallToolsResponse } from "@toolmesh/proto";
import { AnswerBatch } from "./answer-batch.js";
import { checkToken } from "./auth.js";
import { checkDecoded, decodedCleanly, undecodableReason } from "./decoding.js";
import { runOneCall, type CancelTracker } from "./one-call.js";
import { startServerSpan } from "./server-span.js";
import type { ServiceDeps } from "./service.js";
import { serviceError, toServiceError } from "./status.js";

const NO_CALL: CallToolRequest = { tool: "", args: {}, timeoutMs: 0, retry: undefined };

/**
 * CallTools: many calls over one stream, each answered as it finishes. A
 * request carries one call (request_id, call) or several (calls); a stream
 * whose client sends several is answered in `results`, the answers ready in
 * the same turn of the event loop in one message (see AnswerBatch).
 */
export function callToolsStream(deps: ServiceDeps): (call: ServerDuplexStream<CallToolsRequest, CallToolsResponse>) => void {
  const counted = { OK: deps.metrics.grpcRequests.labels({ method: "CallTools", code: "OK" }) };
  const count = (code: string): void => (code === "OK" ? counted.OK.inc() : deps.metrics.grpcRequests.inc({ method: "CallTools", code }));
  return (call) => {
    // One span for the whole stream, ended with it (by its end, a failure or the client's cancel).
    const span = startServerSpan(call, "CallTools");
    try {
      checkToken(deps.token, call.metadata);
    } catch (err) {
      const error = toServiceError(err);
      span.end(error.code, error.details);
      call.emit("error", error);
      return;
    }
    const { ctx } = span;
    let pending = 0;
    let ended = false;
    // The stream cancelled by its client: every call still running is cancelled with it.
    const cancels = new Set<(reason: string) => void>();
    call.on("cancelled", () => {
      span.end(status.CANCELLED, "the caller cancelled CallTools");
      for (const cancel of [...cancels]) cancel("the caller cancelled CallTools");
    });
    const track: CancelTracker = (cancel) => {
      cancels.add(cancel);
      return () => cancels.delete(cancel);
    };
    const writable = (): boolean => !call.writableEnded && !call.destroyed;
    const batch = new AnswerBatch((results) => {
      if (writable()) call.write({ requestId: "", result: undefined, error: undefined, results });
    });
    const finishIfDone = (): void => {
      if (ended && pending === 0) {
        batch.flush();
        span.end(status.OK);
        call.end();
      }
    };
    // A response that cannot be written (or any other slip) fails this stream, not the process.
    const failStream = (err: unknown): void => {
      span.end(status.INTERNAL, String(err));
      call.destroy(err instanceof Error ? err : new Error(String(err)));
    };
    /** `unchecked`: the message part to search for invalid UTF-8 first, when the request held some. */
    const answer = async (
      requestId: string,
      request: CallToolRequest | undefined,
      send: (a: BatchedAnswer, bytes?: number) => void,
      unchecked?: object,
    ) => {
      pending += 1;
      let sent: BatchedAnswer;
      let bytes: number | undefined;
      try {
        if (unchecked) checkDecoded(unchecked, "CallToolsRequest");
        const { status: result, wireBytes } = await runOneCall(deps, request ?? NO_CALL, ctx, track);
        sent = { requestId, result, error: undefined };
        bytes = wireBytes;
      } catch (err) {
        const error = toServiceError(err);
        sent = {
          requestId,
          result: undefined,
          error: { code: status[error.code] ?? "INTERNAL", message: error.details, retryable: false },
        };
        bytes = 64 + 3 * error.details.length;
      }
      count(sent.error?.code ?? "OK");
      pending -= 1;
      send(sent, bytes);
      finishIfDone();
    };
    const alone = (a: BatchedAnswer): void => {
      if (writable()) call.write({ ...a, results: [] });
    };
    const batched = (a: BatchedAnswer, bytes?: number): void => batch.add(a, bytes);
    call.on("data", (request: CallToolsRequest) => {
      const undecodable = undecodableReason(request);
      if (undecodable !== undefined) {
        // Which calls it held cannot be known: the stream fails, and with it every call its client waits for.
        const error = serviceError(status.INVALID_ARGUMENT, `a message on CallTools is not a valid CallToolsRequest: ${undecodable}`);
        count("INVALID_ARGUMENT");
        span.end(error.code, error.details);
        call.emit("error", error);
        // Nobody will read their answers: the calls still running stop too.
        for (const cancel of [...cancels]) cancel("the CallTools stream failed");
        return;
      }
      // Only a request with invalid UTF-8 somewhere is searched, call by call, for where.
      const clean = decodedCleanly(request);
      if (request.calls.length === 0) answer(request.requestId, request.call, alone, clean ? undefined : request).catch(failStream);
      else for (const item of request.calls) answer(item.requestId, item.call, batched, clean ? undefined : item).catch(failStream);
    });
    call.on("end", () => {
      ended = true;
      finishIfDone();
    });
    call.on("error", () => undefined);
  };
}
