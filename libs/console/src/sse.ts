import type { IncomingMessage, ServerResponse } from "node:http";

/** A server-sent event stream on one response; a comment every 15 s keeps proxies from closing it. */
export class SseStream {
  readonly #res: ServerResponse;
  readonly #heartbeat: NodeJS.Timeout;
  readonly #abort = new AbortController();

  constructor(req: IncomingMessage, res: ServerResponse) {
    this.#res = res;
    res.writeHead(200, {
      "content-type": "text/event-stream; charset=utf-8",
      "cache-control": "no-cache, no-transform",
      // nginx and other proxies would buffer the stream otherwise.
      "x-accel-buffering": "no",
      connection: "keep-alive",
    });
    res.write("retry: 2000\n\n");
    this.#heartbeat = setInterval(() => res.write(": keep-alive\n\n"), 15_000).unref();
    const close = (): void => this.close();
    req.once("close", close);
    res.once("close", close);
  }

  /** Aborted when the browser goes away or the stream is closed. */
  get signal(): AbortSignal {
    return this.#abort.signal;
  }

  send(event: string, data: unknown): void {
    if (this.#abort.signal.aborted) return;
    this.#res.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
  }

  close(): void {
    if (this.#abort.signal.aborted) return;
    this.#abort.abort();
    clearInterval(this.#heartbeat);
    this.#res.end();
  }
}
