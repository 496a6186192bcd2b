import { Metadata, status, type ClientDuplexStream, type ServiceError } from "@grpc/grpc-js";
import type { BatchedAnswer, BatchedCall, CallToolRequest, CallToolsRequest, CallToolsResponse, TaskStatus } from "@toolmesh/proto";

interface Waiter {
  resolve(status: TaskStatus): void;
  reject(err: ServiceError): void;
}

function callError(code: status, message: string): ServiceError {
  return Object.assign(new Error(message), { code, details: message, metadata: new Metadata() });
}

/** Calls sent in one message at most: a burst larger than this goes as several. */
const MAX_CALLS_PER_MESSAGE = 256;

/**
 * Many tool calls over one CallTools stream: `call()` sends a request and
 * resolves with its own response, whatever order responses come back in. A
 * failed call rejects with the same {code, details} shape as a unary error.
 *
 * Calls made in the same turn of the event loop (an agent's burst, or the
 * calls a batch of answers sets off) leave in one message, and the
 * coordinator answers such a stream with the calls that finished together
 * in one message: gRPC's cost per message is then shared by its calls.
 */
export class ToolCallSession {
  readonly #stream: ClientDuplexStream<CallToolsRequest, CallToolsResponse>;
  readonly #waiting = new Map<string, Waiter>();
  #outgoing: BatchedCall[] = [];
  #nextId = 0;
  #failure: ServiceError | undefined;
  readonly #ended: Promise<void>;

  constructor(
    stream: ClientDuplexStream<CallToolsRequest, CallToolsResponse>,
    explain: (err: ServiceError) => ServiceError = (err) => err,
  ) {
    this.#stream = stream;
    stream.on("data", (response: CallToolsResponse) => {
      if (response.results.length === 0) this.#answer(response);
      else for (const answer of response.results) this.#answer(answer);
    });
    this.#ended = new Promise((resolve) => {
      const fail = (err: ServiceError): void => {
        this.#failure = err;
        for (const waiter of this.#waiting.values()) waiter.reject(err);
        this.#waiting.clear();
        resolve();
      };
      stream.on("error", (err: ServiceError) => fail(explain(err)));
      stream.on("end", () => {
        fail(callError(status.UNAVAILABLE, "the CallTools stream ended"));
      });
    });
  }

  call(request: Partial<CallToolRequest> & { tool: string }): Promise<TaskStatus> {
    if (this.#failure) return Promise.reject(this.#failure);
    if (this.#stream.writableEnded) return Promise.reject(callError(status.FAILED_PRECONDITION, "the session is closed: open another"));
    const requestId = String(this.#nextId++);
    return new Promise((resolve, reject) => {
      this.#waiting.set(requestId, { resolve, reject });
      // After this turn's promise callbacks have run: the calls they make go along.
      if (this.#outgoing.length === 0) process.nextTick(() => this.#flush());
      this.#outgoing.push({ requestId, call: { args: {}, timeoutMs: 0, retry: undefined, ...request } });
    });
  }

  /** Half-closes the stream and waits until every answer arrived. */
  async close(): Promise<void> {
    this.#flush();
    this.#stream.end();
    await this.#ended;
  }

  #flush(): void {
    const calls = this.#outgoing;
    if (calls.length === 0 || this.#stream.writableEnded) return;
    this.#outgoing = [];
    for (let i = 0; i < calls.length; i += MAX_CALLS_PER_MESSAGE)
      this.#stream.write({ requestId: "", call: undefined, calls: calls.slice(i, i + MAX_CALLS_PER_MESSAGE) });
  }

  #answer(answer: BatchedAnswer): void {
    const waiter = this.#waiting.get(answer.requestId);
    if (!waiter) return;
    this.#waiting.delete(answer.requestId);
    if (answer.result) waiter.resolve(answer.result);
    else {
      const code = (status as unknown as Record<string, status>)[answer.error?.code ?? "INTERNAL"] ?? status.INTERNAL;
      waiter.reject(callError(code, answer.error?.message ?? "call failed"));
    }
  }
}
