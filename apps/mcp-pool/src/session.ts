import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport, getDefaultEnvironment } from "@modelcontextprotocol/sdk/client/stdio.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import type { Transport } from "@modelcontextprotocol/sdk/shared/transport.js";
import type { CallToolResult, Tool } from "@modelcontextprotocol/sdk/types.js";
import { ErrorCode, ToolError, type Logger, type McpServerConfig } from "@toolmesh/core";
import { requestError } from "./errors.js";

export interface SessionOptions {
  name: string;
  server: McpServerConfig;
  log: Logger;
  /** How long a call waits for a restarting upstream before it fails with UNAVAILABLE. */
  waitMs: number;
  /** The upstream's tools, at every (re)connect and on notifications/tools/list_changed. */
  onTools(tools: Tool[]): void | Promise<void>;
}

/** Waiting for a call well past any task deadline: the task's signal ends it, not the SDK's 60 s default. */
const NO_SDK_TIMEOUT_MS = 24 * 3600_000;
const MAX_BACKOFF_MS = 5000;
/** A connection that lived this long was healthy: the next failure starts the backoff over. */
const HEALTHY_MS = 10_000;

/**
 * One session to one upstream MCP server — a child process over stdio
 * (the SDK's StdioClientTransport) or a Streamable HTTP endpoint — that
 * comes back by itself: when the connection closes (the server exited or
 * was killed), the calls in flight fail with UNAVAILABLE (the SDK rejects
 * them as ConnectionClosed) and the session reconnects with exponential
 * backoff (100 ms doubling to 5 s), then lists the tools again. Calls made
 * while it is down wait up to `waitMs` for it.
 */
export class UpstreamSession {
  readonly #options: SessionOptions;
  #client: Client | undefined;
  #connectedAtMs = 0;
  #failures = 0;
  #closed = false;
  #lastError = "";
  #pid: number | null = null;
  readonly #stderrTail: string[] = [];
  readonly #waiting = new Set<() => void>();

  private constructor(options: SessionOptions) {
    this.#options = options;
  }

  /** Connects and lists the tools; a server that cannot start fails the worker's start with its own words. */
  static async start(options: SessionOptions): Promise<UpstreamSession> {
    const session = new UpstreamSession(options);
    try {
      await session.#open();
    } catch (err) {
      throw new Error(`MCP server "${options.name}" did not start: ${err instanceof Error ? err.message : String(err)}${session.#tail()}`, {
        cause: err,
      });
    }
    return session;
  }

  /** The stdio child's pid (null over HTTP or while down). */
  get pid(): number | null {
    return this.#client ? this.#pid : null;
  }

  get connected(): boolean {
    return this.#client !== undefined;
  }

  status(): string {
    return this.#client ? `upstream=up${this.#pid ? ` pid=${this.#pid}` : ""}` : `upstream=restarting failures=${this.#failures}`;
  }

  async callTool(
    upstreamTool: string,
    args: Record<string, unknown>,
    signal: AbortSignal,
    onProgress?: (update: Record<string, unknown>) => void,
  ): Promise<CallToolResult> {
    const client = await this.#ready(signal);
    try {
      // With a signal, an abort sends notifications/cancelled upstream (the SDK does it).
      return (await client.callTool({ name: upstreamTool, arguments: args }, undefined, {
        signal,
        timeout: NO_SDK_TIMEOUT_MS,
        ...(onProgress ? { onprogress: (p: { progress: number; total?: number; message?: string }) => onProgress({ ...p }) } : {}),
      })) as CallToolResult;
    } catch (err) {
      if (signal.aborted) throw signal.reason;
      const error = requestError(err);
      // A failed send or fetch means the session is gone even if nothing said so (HTTP has no process to watch).
      if (error.code === ErrorCode.UNAVAILABLE) this.#lost(client, error.message);
      throw error;
    }
  }

  async close(): Promise<void> {
    this.#closed = true;
    for (const wake of this.#waiting) wake();
    const client = this.#client;
    this.#client = undefined;
    await client?.close().catch(() => undefined);
  }

  async #open(): Promise<void> {
    const transport = this.#transport();
    const client = new Client(
      { name: `toolmesh-mcp-pool-${this.#options.name}`, version: "0.1.0" },
      {
        capabilities: {},
        listChanged: {
          tools: {
            autoRefresh: false,
            debounceMs: 100,
            onChanged: () =>
              void this.#listTools(client).catch((err: unknown) =>
                this.#options.log.warn({ err }, "could not list the upstream's tools after a change"),
              ),
          },
        },
      },
    );
    client.onclose = () => this.#lost(client, "the connection closed");
    client.onerror = (err) => this.#options.log.debug({ err }, "upstream transport error");
    try {
      await client.connect(transport);
      this.#pid = transport instanceof StdioClientTransport ? transport.pid : null;
      await this.#listTools(client);
    } catch (err) {
      // A half-made session must not leave its child behind.
      await client.close().catch(() => undefined);
      throw err;
    }
    this.#client = client;
    this.#connectedAtMs = Date.now();
    this.#options.log.info({ server: this.#options.name, pid: this.#pid, version: client.getServerVersion() }, "upstream connected");
    for (const wake of this.#waiting) wake();
  }

  #transport(): Transport {
    const { server } = this.#options;
    if (server.url) return new StreamableHTTPClientTransport(new URL(server.url), { requestInit: { headers: server.headers } });
    const transport = new StdioClientTransport({
      command: server.command!,
      args: server.args,
      env: { ...getDefaultEnvironment(), ...server.env },
      ...(server.cwd ? { cwd: server.cwd } : {}),
      stderr: "pipe",
    });
    let partial = "";
    transport.stderr?.on("data", (chunk: Buffer) => {
      const lines = (partial + chunk.toString("utf8")).split("\n");
      partial = lines.pop() ?? "";
      for (const line of lines.filter((l) => l.trim())) {
        this.#stderrTail.push(line);
        if (this.#stderrTail.length > 5) this.#stderrTail.shift();
        this.#options.log.debug({ upstream: line }, "upstream stderr");
      }
    });
    return transport;
  }

  async #listTools(client: Client): Promise<void> {
    const tools: Tool[] = [];
    let cursor: string | undefined;
    do {
      const page = await client.listTools(cursor ? { cursor } : undefined);
      tools.push(...page.tools);
      cursor = page.nextCursor;
    } while (cursor);
    await this.#options.onTools(tools);
  }

  #lost(client: Client, why: string): void {
    if (this.#closed || client !== this.#client) return;
    this.#client = undefined;
    this.#lastError = why;
    if (Date.now() - this.#connectedAtMs > HEALTHY_MS) this.#failures = 0;
    this.#options.log.warn({ server: this.#options.name, pid: this.#pid, why: `${why}${this.#tail()}` }, "upstream lost; reconnecting");
    void client.close().catch(() => undefined);
    this.#reconnect();
  }

  #reconnect(): void {
    if (this.#closed) return;
    const delay = Math.min(MAX_BACKOFF_MS, 100 * 2 ** this.#failures);
    this.#failures += 1;
    setTimeout(() => {
      if (this.#closed) return;
      this.#open().catch((err: unknown) => {
        this.#lastError = err instanceof Error ? err.message : String(err);
        this.#options.log.warn(
          { server: this.#options.name, err: this.#lastError, nextInMs: Math.min(MAX_BACKOFF_MS, 100 * 2 ** this.#failures) },
          "upstream did not come back; trying again",
        );
        this.#reconnect();
      });
    }, delay).unref();
  }

  /** The live client, or, while the upstream restarts, a wait of up to waitMs for it. */
  async #ready(signal: AbortSignal): Promise<Client> {
    if (this.#client) return this.#client;
    await new Promise<void>((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        signal.removeEventListener("abort", done);
        this.#waiting.delete(done);
        resolve();
      };
      const timer = setTimeout(done, this.#options.waitMs);
      signal.addEventListener("abort", done, { once: true });
      this.#waiting.add(done);
    });
    if (signal.aborted) throw signal.reason;
    if (this.#client) return this.#client;
    throw new ToolError(
      ErrorCode.UNAVAILABLE,
      `the upstream server "${this.#options.name}" is restarting (${this.#failures} attempts; last: ${this.#lastError || "none"})`,
    );
  }

  #tail(): string {
    return this.#stderrTail.length ? `; its last stderr: ${this.#stderrTail.join(" | ")}` : "";
  }
}
