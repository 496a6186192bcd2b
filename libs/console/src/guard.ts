import { createHash, createHmac, randomBytes, timingSafeEqual } from "node:crypto";
import type { IncomingMessage } from "node:http";

export interface GuardOptions {
  /** The bearer token (the gateway's); undefined: no token is asked for. */
  token: string | undefined;
  /** Origins allowed besides the console's own on a loopback host. */
  allowedOrigins: readonly string[];
}

export interface Refusal {
  status: 401 | 403;
  message: string;
}

export const SESSION_COOKIE = "toolmesh_console";

const digest = (value: string): Buffer => createHash("sha256").update(value).digest();
const same = (a: string, b: Buffer): boolean => timingSafeEqual(digest(a), b);
const LOOPBACK_HOSTS = new Set(["127.0.0.1", "localhost", "[::1]"]);

function cookie(req: IncomingMessage, name: string): string | undefined {
  for (const part of (req.headers.cookie ?? "").split(";")) {
    const [key, ...value] = part.trim().split("=");
    if (key === name) return value.join("=");
  }
  return undefined;
}

/** How long a login link works if nobody opens it: a day, so the link `up` printed still works after lunch. */
export const LOGIN_CODE_TTL_MS = 24 * 3600_000;

const loginMac = (token: string, expiry: string, nonce: string): string =>
  createHmac("sha256", token).update(`toolmesh console login ${expiry}.${nonce}`).digest("base64url");

/**
 * A one-time login code anyone with the token can mint (`toolmesh status
 * --console` does, from the stack's token): expiry, nonce and their HMAC.
 * The console spends each nonce once.
 */
export function mintLoginCode(token: string, ttlMs = LOGIN_CODE_TTL_MS, nowMs = Date.now()): string {
  const expiry = String(nowMs + ttlMs);
  const nonce = randomBytes(12).toString("base64url");
  return `${expiry}.${nonce}.${loginMac(token, expiry, nonce)}`;
}

/**
 * The console's door, the gateway's rules for a browser: an Origin must be
 * the console's own page on a loopback host or one of the allowed origins
 * (403, the guard against DNS rebinding and other sites' scripts); then the
 * bearer token or the session cookie it was exchanged for (401). A browser
 * cannot put a header on a link, so `up` prints a link with a one-time
 * login code instead of the token; the session cookie is HMAC(token), so it needs no
 * server state and every gateway replica accepts it.
 */
export class ConsoleGuard {
  readonly #options: GuardOptions;
  readonly #tokenDigest: Buffer | undefined;
  readonly #session: string | undefined;
  /** Spent login codes' nonces, until they would have expired anyway. */
  readonly #spent = new Map<string, number>();

  constructor(options: GuardOptions) {
    this.#options = options;
    this.#tokenDigest = options.token ? digest(options.token) : undefined;
    this.#session = options.token
      ? createHmac("sha256", options.token).update("toolmesh console session v1").digest("base64url")
      : undefined;
  }

  get authenticated(): boolean {
    return this.#tokenDigest !== undefined;
  }

  /** A code that logs one browser in once (what `up` prints in the console's URL). */
  issueLoginCode(ttlMs = LOGIN_CODE_TTL_MS): string {
    return this.#options.token ? mintLoginCode(this.#options.token, ttlMs) : "";
  }

  /** Spends a login code: true once per code that the token minted and that has not expired. */
  redeem(code: string, nowMs = Date.now()): boolean {
    if (!this.#options.token) return false;
    const [expiry, nonce, mac] = code.split(".");
    if (!expiry || !nonce || !mac || !/^\d+$/.test(expiry) || Number(expiry) < nowMs || this.#spent.has(nonce)) return false;
    if (!same(mac, digest(loginMac(this.#options.token, expiry, nonce)))) return false;
    for (const [spent, until] of this.#spent) if (until < nowMs) this.#spent.delete(spent);
    this.#spent.set(nonce, Number(expiry));
    return true;
  }

  /** Set-Cookie for a logged-in browser: script cannot read it, other sites' requests do not carry it. */
  sessionCookie(secure: boolean): string {
    return `${SESSION_COOKIE}=${this.#session ?? ""}; Path=/console; HttpOnly; SameSite=Strict${secure ? "; Secure" : ""}`;
  }

  originRefusal(req: IncomingMessage): Refusal | undefined {
    const origin = req.headers.origin;
    if (origin === undefined || this.#options.allowedOrigins.includes(origin)) return undefined;
    const host = req.headers.host ?? "";
    const hostname = host.replace(/:\d+$/, "");
    if (LOOPBACK_HOSTS.has(hostname) && (origin === `http://${host}` || origin === `https://${host}`)) return undefined;
    return { status: 403, message: `Origin ${origin} is not allowed (TOOLMESH_MCP_ALLOWED_ORIGINS)` };
  }

  /** True when the request carries the token (Authorization: Bearer) or the session cookie. */
  hasCredentials(req: IncomingMessage): boolean {
    if (!this.#tokenDigest || !this.#session) return true;
    const bearer = /^Bearer (.+)$/i.exec(req.headers.authorization ?? "")?.[1];
    if (bearer) return same(bearer, this.#tokenDigest);
    const session = cookie(req, SESSION_COOKIE);
    return session !== undefined && same(session, digest(this.#session));
  }

  /** Why an API request may not pass, or undefined when it may. */
  refusal(req: IncomingMessage): Refusal | undefined {
    const origin = this.originRefusal(req);
    if (origin) return origin;
    if (!this.hasCredentials(req))
      return { status: 401, message: "sign in: open the URL `toolmesh up` printed, or send Authorization: Bearer <token>" };
    return undefined;
  }
}
