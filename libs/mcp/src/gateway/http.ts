import type { StreamableHTTPServerTransport } from "@modelcontextprotocol/sdk/server/streamableHttp.js";
import type { ToolmeshClient } from "@toolmesh/client";
import { createHash, randomUUID, timingSafeEqual } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { Logger } from "@toolmesh/core";

export interface GatewayOptions {
  client: ToolmeshClient;
  /** Bearer token every request must carry; undefined: none. */
  token: string | undefined;
  /** Origins allowed besides requests that send none. */
  allowedOrigins: string[];
  maxSessions: number;
  sessionIdleMs: number;
  /** ListTools is polled this often for tools/list_changed. */
  toolsPollMs?: number;
  log: Logger;
}

interface Session {
  transport: StreamableHTTPServerTransport;
  lastUsed: number;
}

/** 4 MiB, as the SDK's own transport bounds a body it reads. */
const MAX_BODY = 4 * 1024 * 1024;

const digest = (value: string): Buffer => createHash("sha256").update(value).digest();

/**
 * The MCP SDK and the server built on it, loaded with the first session: an
 * idle gateway (what `toolmesh up` starts) stays ~30 MB smaller without its
 * modules (zod 4 schemas, ajv, hono).
 */
const loadMcp = (() => {
  let loading:
    | Promise<{
        Transport: typeof StreamableHTTPServerTransport;
        isInitializeRequest: (value: unknown) => boolean;
        createServer: typeof import("../server.js").createToolmeshMcpServer;
        ToolListWatcher: typeof import("../tool-watch.js").ToolListWatcher;
      }>
    | undefined;
  return () =>
    (loading ??= Promise.all([
      import("@modelcontextprotocol/sdk/server/streamableHttp.js"),
      import("@modelcontextprotocol/sdk/types.js"),
      import("../server.js"),
      import("../tool-watch.js"),
    ]).then(([http, types, server, watch]) => ({
      Transport: http.StreamableHTTPServerTransport,
      isInitializeRequest: types.isInitializeRequest,
      createServer: server.createToolmeshMcpServer,
      ToolListWatcher: watch.ToolListWatcher,
    })));
})();

function jsonRpcError(res: ServerResponse, httpStatus: number, message: string, headers: Record<string, string> = {}): void {
  res
    .writeHead(httpStatus, { "content-type": "application/json", ...headers })
    .end(JSON.stringify({ jsonrpc: "2.0", error: { code: -32000, message }, id: null }));
}

class BodyError extends Error {
  constructor(
    readonly httpStatus: number,
    message: string,
  ) {
    super(message);
  }
}

async function readJson(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY) throw new BodyError(413, `request body over ${MAX_BODY} bytes`);
    chunks.push(chunk);
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString("utf8"));
  } catch {
    throw new BodyError(400, "Parse error: the body is not JSON");
  }
}

/**
 * The /mcp endpoint: MCP streamable HTTP with one session (an MCP Server and
 * its transport) per client, all over one gRPC client of the coordinator.
 * Before anything else: an Origin that is not allowed gets 403 (requests
 * without Origin — not from a browser — pass: the spec's guard against DNS
 * rebinding), then a missing or wrong bearer token 401.
 */
export class McpGateway {
  readonly #options: GatewayOptions;
  readonly #sessions = new Map<string, Session>();
  readonly #sweeper: NodeJS.Timeout;
  readonly #tokenDigest: Buffer | undefined;
  #watcher: InstanceType<Awaited<ReturnType<typeof loadMcp>>["ToolListWatcher"]> | undefined;

  constructor(options: GatewayOptions) {
    this.#options = options;
    this.#tokenDigest = options.token ? digest(options.token) : undefined;
    this.#sweeper = setInterval(() => this.#sweep(), Math.min(60_000, options.sessionIdleMs)).unref();
  }

  get sessions(): number {
    return this.#sessions.size;
  }

  /** Why a request may not pass (status and message), or undefined when it may. */
  #refusal(req: IncomingMessage): [number, string, Record<string, string>?] | undefined {
    const origin = req.headers.origin;
    if (origin !== undefined && !this.#options.allowedOrigins.includes(origin)) {
      return [403, `Forbidden: Origin ${origin} is not allowed (TOOLMESH_MCP_ALLOWED_ORIGINS)`];
    }
    if (this.#tokenDigest) {
      const header = req.headers.authorization ?? "";
      const presented = /^Bearer (.+)$/i.exec(header)?.[1];
      if (!presented || !timingSafeEqual(digest(presented), this.#tokenDigest)) {
        return [
          401,
          "Unauthorized: send Authorization: Bearer <token> (TOOLMESH_MCP_TOKEN)",
          { "www-authenticate": 'Bearer realm="toolmesh"' },
        ];
      }
    }
    return undefined;
  }

  async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = new URL(req.url ?? "/", "http://gateway").pathname;
    if (path !== "/mcp") {
      res.writeHead(404, { "content-type": "text/plain" }).end("not found: MCP is served at /mcp\n");
      return;
    }
    const origin = req.headers.origin;
    if (origin !== undefined && this.#options.allowedOrigins.includes(origin)) {
      // A browser client from an allowed Origin: CORS, so it may read the session id and send its headers.
      res.setHeader("access-control-allow-origin", origin);
      res.setHeader("vary", "Origin");
      res.setHeader("access-control-expose-headers", "mcp-session-id, mcp-protocol-version, www-authenticate");
      if (req.method === "OPTIONS") {
        res
          .writeHead(204, {
            "access-control-allow-methods": "GET, POST, DELETE",
            "access-control-allow-headers": "authorization, content-type, accept, mcp-session-id, mcp-protocol-version, last-event-id",
            "access-control-max-age": "600",
          })
          .end();
        return;
      }
    }
    const refusal = this.#refusal(req);
    if (refusal) {
      const [status, message, headers] = refusal;
      this.#options.log.warn({ status, origin: req.headers.origin, remote: req.socket.remoteAddress }, "refused");
      jsonRpcError(res, status, message, headers);
      return;
    }
    const sessionId = req.headers["mcp-session-id"];
    if (typeof sessionId === "string") {
      const session = this.#sessions.get(sessionId);
      if (!session) return jsonRpcError(res, 404, "Session not found: initialize a new one");
      session.lastUsed = Date.now();
      await session.transport.handleRequest(req, res);
      return;
    }
    if (req.method !== "POST") return jsonRpcError(res, 400, "Bad Request: no Mcp-Session-Id; a session starts with an initialize POST");
    let body: unknown;
    try {
      body = await readJson(req);
    } catch (err) {
      return jsonRpcError(res, err instanceof BodyError ? err.httpStatus : 400, err instanceof Error ? err.message : String(err));
    }
    const mcp = await loadMcp();
    if (!mcp.isInitializeRequest(body))
      return jsonRpcError(res, 400, "Bad Request: no Mcp-Session-Id; a session starts with an initialize request");
    if (this.#sessions.size >= this.#options.maxSessions)
      return jsonRpcError(res, 503, `Too many sessions (${this.#options.maxSessions}); try again later`, { "retry-after": "5" });
    await this.#open(req, res, body, mcp);
  }

  async #open(req: IncomingMessage, res: ServerResponse, body: unknown, mcp: Awaited<ReturnType<typeof loadMcp>>): Promise<void> {
    // One ListTools poll for all sessions: each gets notifications/tools/list_changed.
    this.#watcher ??= new mcp.ToolListWatcher(this.#options.client, this.#options.toolsPollMs);
    const server = mcp.createServer({ client: this.#options.client, toolWatcher: this.#watcher });
    const transport: StreamableHTTPServerTransport = new mcp.Transport({
      sessionIdGenerator: () => randomUUID(),
      onsessioninitialized: (id) => {
        this.#sessions.set(id, { transport, lastUsed: Date.now() });
        this.#options.log.info({ session: id, sessions: this.#sessions.size }, "session opened");
      },
    });
    transport.onclose = () => {
      const id = transport.sessionId;
      if (id && this.#sessions.delete(id)) this.#options.log.info({ session: id, sessions: this.#sessions.size }, "session closed");
    };
    await server.connect(transport);
    await transport.handleRequest(req, res, body);
  }

  #sweep(): void {
    const cutoff = Date.now() - this.#options.sessionIdleMs;
    for (const [id, session] of this.#sessions) {
      if (session.lastUsed < cutoff) {
        this.#options.log.info({ session: id }, "session idle: closing");
        void session.transport.close().catch(() => undefined);
      }
    }
  }

  async close(): Promise<void> {
    clearInterval(this.#sweeper);
    await Promise.all([...this.#sessions.values()].map((s) => s.transport.close().catch(() => undefined)));
    this.#sessions.clear();
  }
}
