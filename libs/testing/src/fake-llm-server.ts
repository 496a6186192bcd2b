import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";

/** One request the fake LLM received, body parsed as JSON. */
export interface RecordedRequest {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  body: Record<string, unknown>;
}

export interface FakeReply {
  status?: number;
  headers?: Record<string, string>;
  /** Sent as JSON unless it is a string. */
  body: unknown;
  delayMs?: number;
}

/**
 * A local HTTP server standing in for an LLM API: each request is recorded
 * and answered by `reply(request, index)`, so a test scripts the turns and
 * then checks what the agent sent.
 */
export class FakeLlmServer {
  readonly requests: RecordedRequest[] = [];
  #server: Server | undefined;

  constructor(private readonly reply: (request: RecordedRequest, index: number) => FakeReply) {}

  async start(): Promise<string> {
    this.#server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (c: Buffer) => chunks.push(c));
      req.on("end", () => {
        const text = Buffer.concat(chunks).toString("utf8");
        let body: Record<string, unknown>;
        try {
          body = JSON.parse(text) as Record<string, unknown>;
        } catch {
          body = { unparsable: text };
        }
        const request = { method: req.method ?? "", path: req.url ?? "", headers: req.headers, body };
        const index = this.requests.push(request) - 1;
        let answer: FakeReply;
        try {
          answer = this.reply(request, index);
        } catch (err) {
          answer = { status: 599, body: { error: { message: `fake server: ${(err as Error).message}` } } };
        }
        const send = (): void => {
          if (res.destroyed) return;
          res.writeHead(answer.status ?? 200, { "content-type": "application/json", ...answer.headers });
          res.end(typeof answer.body === "string" ? answer.body : JSON.stringify(answer.body));
        };
        if (answer.delayMs) setTimeout(send, answer.delayMs);
        else send();
      });
    });
    await new Promise<void>((resolve) => this.#server?.listen(0, "127.0.0.1", resolve));
    return `http://127.0.0.1:${(this.#server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    this.#server?.closeAllConnections();
    await new Promise<void>((resolve) => (this.#server ? this.#server.close(() => resolve()) : resolve()));
  }
}
