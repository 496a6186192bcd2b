import type { ToolmeshClient } from "@toolmesh/client";
import type { Logger } from "@toolmesh/core";
import type { PoolWatch } from "@toolmesh/observe";
import type { IncomingMessage, ServerResponse } from "node:http";
import { ConsoleApi, httpStatusOf } from "./api.js";
import { ConsoleGuard } from "./guard.js";
import { PoolHistory } from "./pool-history.js";
import { consoleAssetsDir, serveAsset } from "./static-files.js";

export interface ConsoleOptions {
  client: ToolmeshClient;
  /** The gateway's bearer token; the console asks for the same one. */
  token: string | undefined;
  allowedOrigins: readonly string[];
  /** The pools as `toolmesh top` sees them; without it the pools page says it has no metrics bus. */
  pools?: PoolWatch;
  /** How often live lists and pools are sent again (default 1000 ms). */
  refreshMs?: number;
  /** How far back the pools' charts reach (default 10 minutes). */
  historyMs?: number;
  log: Logger;
  /** The built page (default: this package's dist/web). */
  assetsDir?: string;
}

/**
 * The web console, served under /console by the HTTP gateway: the page
 * (static files), the JSON API and server-sent events under /console/api,
 * and /console/login?code=… which turns a one-time code into a session.
 */
export class ConsoleServer {
  readonly guard: ConsoleGuard;
  readonly #api: ConsoleApi;
  readonly #history: PoolHistory | undefined;
  readonly #options: ConsoleOptions;

  constructor(options: ConsoleOptions) {
    this.#options = options;
    this.guard = new ConsoleGuard({ token: options.token, allowedOrigins: options.allowedOrigins });
    const refreshMs = options.refreshMs ?? 1000;
    this.#history = options.pools
      ? new PoolHistory(options.pools, { intervalMs: refreshMs, keepMs: options.historyMs ?? 600_000 })
      : undefined;
    this.#api = new ConsoleApi({ client: options.client, pools: this.#history, refreshMs });
  }

  /** True for the paths this server answers (the gateway sends it those). */
  owns(path: string): boolean {
    return path === "/" || path === "/console" || path.startsWith("/console/");
  }

  async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? "/", "http://console");
    const path = url.pathname;
    if (path === "/" || path === "/console") {
      res.writeHead(302, { location: "/console/" }).end();
      return;
    }
    const refusal = this.guard.originRefusal(req);
    if (refusal) return this.#refuse(req, res, refusal.status, refusal.message);
    if (path === "/console/login") return this.#login(req, res, url.searchParams.get("code") ?? "");
    if (path.startsWith("/console/api/")) return this.#apiRequest(req, res, path.slice("/console/api".length), url.searchParams);
    if (req.method !== "GET" && req.method !== "HEAD") {
      res.writeHead(405, { allow: "GET" }).end();
      return;
    }
    await serveAsset(res, path.slice("/console/".length), this.#options.assetsDir ?? consoleAssetsDir);
  }

  /** A one-time code (or, for scripts, the bearer token) becomes the session cookie, then the page. */
  async #login(req: IncomingMessage, res: ServerResponse, code: string): Promise<void> {
    if (!this.guard.authenticated || this.guard.redeem(code) || (req.method === "POST" && this.guard.hasCredentials(req))) {
      const secure = (req.socket as { encrypted?: boolean }).encrypted === true || req.headers["x-forwarded-proto"] === "https";
      res.writeHead(303, { location: "/console/", "set-cookie": this.guard.sessionCookie(secure), "cache-control": "no-store" }).end();
      return;
    }
    this.#refuse(
      req,
      res,
      401,
      "this login code is unknown or already used: run `toolmesh status --console` for a fresh link, or sign in with the token",
    );
  }

  async #apiRequest(req: IncomingMessage, res: ServerResponse, path: string, query: URLSearchParams): Promise<void> {
    const refusal = this.guard.refusal(req);
    if (refusal) return this.#refuse(req, res, refusal.status, refusal.message);
    try {
      await this.#api.handle(req, res, path, query);
    } catch (err) {
      const status = httpStatusOf(err);
      const message = err instanceof Error ? err.message : String(err);
      if (status >= 500) this.#options.log.warn({ err, path }, "console API call failed");
      if (res.headersSent) res.end();
      else res.writeHead(status, { "content-type": "application/json; charset=utf-8" }).end(JSON.stringify({ error: message }));
    }
  }

  #refuse(req: IncomingMessage, res: ServerResponse, status: number, message: string): void {
    this.#options.log.warn({ status, origin: req.headers.origin, remote: req.socket.remoteAddress, path: req.url }, "console: refused");
    const headers: Record<string, string> = { "content-type": "application/json; charset=utf-8" };
    if (status === 401) headers["www-authenticate"] = 'Bearer realm="toolmesh"';
    res.writeHead(status, headers).end(JSON.stringify({ error: message }));
  }

  close(): void {
    this.#history?.stop();
  }
}
