/**
 * Runs `fn` once the answer the current turn's work produced has left the
 * process: two event-loop turns on, not one.
 *
 * A gRPC unary answer goes out in two writes, each flushed by Node's http2
 * session from a native immediate (the check phase): the DATA frame in the
 * turn the handler answers, and the trailers (the status) only from that
 * write's callback, so in the next turn's check phase. Work started with a
 * single setImmediate runs between the two, and a 1,000-task workflow's
 * first dispatch (its publishes and their acks, then the first results)
 * kept the trailers, and so SubmitWorkflow's answer, waiting 15–35 ms. An
 * immediate queued from inside an immediate runs in the next turn's check
 * phase, after that turn's native immediates: after the trailers. A reply
 * over NATS (a routed submit) is flushed by the connection's own immediate
 * in the first turn, so it is out by then too.
 */
export function afterAnswer(fn: () => void): void {
  setImmediate(() => setImmediate(fn));
}
