import { Metadata, status, type ClientDuplexStream, type ServiceError } from "@grpc/grpc-js";
import type { CallToolRequest, CallToolsRequest, CallToolsResponse, TaskStatus } from "@toolmesh/proto";

interface Waiter {
  resolve(status: TaskStatus): void;
  reject(err: ServiceError): void;
}

function callError(code: status, message: string): ServiceError {
  return Object.assign(new Error(message), { code, details: message, metadata: new Metadata() });
}

/**
 * Many tool calls over one CallTools stream: `call()` sends a request and
 * resolves with its own response, whatever order responses come back in. A
 * failed call rejects with the same {code, details} shape as a unary error.
 */
export class ToolCallSession {
  readonly #stream: ClientDuplexStream<CallToolsRequest, CallToolsResponse>;
  readonly #waiting = new Map<string, Waiter>();
  #nextId = 0;
  #failure: ServiceError | undefined;
  readonly #ended: Promise<void>;

  constructor(
    stream: ClientDuplexStream<CallToolsRequest, CallToolsResponse>,
    explain: (err: ServiceError) => ServiceError = (err) => err,
  ) {
    this.#stream = stream;
    stream.on("data", (response: CallToolsResponse) => {
      const waiter = this.#waiting.get(response.requestId);
      if (!waiter) return;
      this.#waiting.delete(response.requestId);
      if (response.result) waiter.resolve(response.result);
      else {
        const code = (status as unknown as Record<string, status>)[response.error?.code ?? "INTERNAL"] ?? status.INTERNAL;
        waiter.reject(callError(code, response.error?.message ?? "call failed"));
      }
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
    const requestId = String(this.#nextId++);
    return new Promise((resolve, reject) => {
      this.#waiting.set(requestId, { resolve, reject });
      this.#stream.write({ requestId, call: { args: {}, timeoutMs: 0, retry: undefined, ...request } });
    });
  }

  /** Half-closes the stream and waits until every answer arrived. */
  async close(): Promise<void> {
    this.#stream.end();
    await this.#ended;
  }
}
