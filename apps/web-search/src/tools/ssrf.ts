import { ErrorCode, ToolError } from "@toolmesh/core";
import { lookup as dnsLookup, type LookupAddress } from "node:dns";
import { isIP } from "node:net";
import { Agent } from "undici";
import { forbiddenReason } from "./ip.js";

/**
 * The SSRF guard. Every hop of web.fetch passes checkUrl() before anything
 * connects, and the connection itself goes through an undici Agent whose DNS
 * lookup re-checks every address it hands to the socket: the addresses the
 * socket uses are exactly ones that passed, so DNS rebinding between the
 * check and the connect gains nothing.
 */
export type Resolver = (host: string) => Promise<LookupAddress[]>;

const systemResolver: Resolver = (host) =>
  new Promise((resolve, reject) => dnsLookup(host, { all: true }, (err, addrs) => (err ? reject(err) : resolve(addrs))));

/** Marks a refusal raised inside the connect-time lookup, so fetch's "fetch failed" can be mapped back. */
export class SsrfRefusal extends Error {
  override readonly name = "SsrfRefusal";
}

export interface AllowList {
  has(url: URL): boolean;
}

/** "host" allows every port of host; "host:port" only that port. Hosts are normalised as URLs are. */
export function parseAllowList(entries: readonly string[]): AllowList {
  const allowed = new Set<string>();
  for (const raw of entries) {
    const m = /^(\[[^\]]+\]|[^:]+)(?::(\d+))?$/.exec(raw.trim());
    if (!m?.[1]) throw new Error(`allow-list entry "${raw}" is not host or host:port`);
    const host = new URL(`http://${m[1]}`).hostname;
    allowed.add(m[2] === undefined ? host : `${host}:${Number(m[2])}`);
  }
  return {
    has: (url) => allowed.has(url.hostname) || allowed.has(`${url.hostname}:${effectivePort(url)}`),
  };
}

export function effectivePort(url: URL): number {
  return url.port ? Number(url.port) : url.protocol === "https:" ? 443 : 80;
}

/** Parses and checks one URL; returns it when it may be fetched, throws ToolError otherwise. */
export async function checkUrl(raw: string, allow: AllowList, resolve: Resolver = systemResolver): Promise<URL> {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new ToolError(ErrorCode.INVALID_ARGUMENT, `"${raw}" is not a valid URL; pass an absolute http(s) URL`);
  }
  if (url.protocol !== "http:" && url.protocol !== "https:")
    throw new ToolError(ErrorCode.INVALID_ARGUMENT, `scheme "${url.protocol}" is not allowed; only http: and https: URLs can be fetched`);
  if (url.username || url.password)
    throw new ToolError(ErrorCode.INVALID_ARGUMENT, "URLs with credentials are not fetched; remove the user:password@ part");
  if (allow.has(url)) return url;
  // WHATWG parsing already turned 2130706433, 0177.0.0.1, 0x7f.1 and 127.1 into dotted quads.
  const host = url.hostname.replace(/^\[|\]$/g, "");
  const addresses = isIP(host) ? [host] : await resolveOrFail(host, resolve);
  for (const address of addresses) {
    const reason = forbiddenReason(address);
    if (reason) throw refusal(url, address, reason);
  }
  return url;
}

async function resolveOrFail(host: string, resolve: Resolver): Promise<string[]> {
  try {
    const addrs = await resolve(host);
    if (addrs.length === 0) throw new Error("no addresses");
    return addrs.map((a) => a.address);
  } catch (err) {
    throw new ToolError(ErrorCode.UNAVAILABLE, `cannot resolve host "${host}": ${(err as Error).message}`, { cause: err });
  }
}

function refusal(url: URL, address: string, reason: string): ToolError {
  const hint = "fetch a public address, or add the host to TOOLMESH_FETCH_ALLOW_HOSTS";
  return new ToolError(ErrorCode.PERMISSION_DENIED, `refused to fetch ${url.host}: it resolves to ${address} (${reason}); ${hint}`);
}

type LookupCallback = (err: Error | null, address: string | LookupAddress[], family?: number) => void;

/** A dns.lookup replacement that fails when any resolved address is forbidden. */
export function guardedLookup(resolve: Resolver = systemResolver) {
  return (hostname: string, options: { all?: boolean }, callback: LookupCallback): void => {
    resolve(hostname).then(
      (addrs) => {
        const bad = addrs.find((a) => forbiddenReason(a.address));
        const first = addrs[0];
        if (bad || !first) return callback(new SsrfRefusal(`${hostname} resolved to ${bad?.address ?? "nothing"} at connect time`), []);
        if (options.all) return callback(null, addrs);
        return callback(null, first.address, first.family);
      },
      (err: Error) => callback(err, []),
    );
  };
}

/** The dispatcher for guarded hops; allow-listed hops use fetch's default one. */
export function guardedAgent(resolve?: Resolver): Agent {
  return new Agent({ connect: { lookup: guardedLookup(resolve) } });
}
