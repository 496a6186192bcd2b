import { ErrorCode, ToolError } from "@toolmesh/core";
import type { LRUCache } from "lru-cache";
import type { Dispatcher } from "undici";
import { extractReadable } from "./extract.js";
import { HostGate, abortError } from "./limits.js";
import { SsrfRefusal, checkUrl, type AllowList, type Resolver } from "./ssrf.js";
import type { FetchArgs, FetchOutput } from "./types.js";

/**
 * web.fetch: GET with redirects followed by hand (each hop re-checked by the
 * SSRF guard), a byte cap enforced while streaming, a deadline, a content-type
 * allow-list and readable-text extraction for HTML.
 */
export interface FetchDeps {
  allow: AllowList;
  dispatcher: Dispatcher;
  gate: HostGate;
  /** Absent when caching is off (a TTL of 0). */
  cache?: LRUCache<string, FetchResult>;
  resolve?: Resolver;
}

/** web.fetch's output (see its output schema in @toolmesh/tools). */
export type FetchResult = FetchOutput;

const REDIRECTS = new Set([301, 302, 303, 307, 308]);
const TEXTUAL = /^(text\/[\w.+-]+|application\/(json|xhtml\+xml|xml)|application\/[\w.-]+\+(json|xml))$/;

export async function fetchTool(args: FetchArgs, caller: AbortSignal, deps: FetchDeps): Promise<FetchResult> {
  const deadline = AbortSignal.timeout(args.timeoutMs);
  const signal = AbortSignal.any([caller, deadline]);
  const aliasKey = `${args.url}|${args.extract}`;
  const cached = deps.cache?.get(aliasKey);
  // A cached answer fits only if this call's caps would have produced it too.
  const fits =
    cached &&
    (cached.truncated ? cached.bytes === args.maxBytes : cached.bytes <= args.maxBytes) &&
    cached.redirects.length <= args.maxRedirects;
  if (cached && fits) return { ...cached, url: args.url, fromCache: true };
  try {
    const result = await fetchHops(args, signal, deps);
    // Under the final URL too, as reached directly (no hops), so fetching it by either name hits.
    deps.cache?.set(`${result.finalUrl}|${args.extract}`, { ...result, url: result.finalUrl, redirects: [] });
    deps.cache?.set(aliasKey, result);
    return result;
  } catch (err) {
    throw toToolError(abortError(err, caller, deadline, `fetching ${args.url}`, args.timeoutMs));
  }
}

async function fetchHops(args: FetchArgs, signal: AbortSignal, deps: FetchDeps): Promise<FetchResult> {
  const redirects: string[] = [];
  let current = args.url;
  for (;;) {
    const url = await checkUrl(current, deps.allow, deps.resolve);
    const release = await deps.gate.acquire(url.host, signal);
    try {
      const res = await fetch(url, {
        redirect: "manual",
        signal,
        headers: { accept: "text/html,application/xhtml+xml,text/*;q=0.9,application/json;q=0.8,*/*;q=0.1" },
        // Allow-listed hosts skip the guarded lookup; everything else connects only to checked addresses.
        ...(deps.allow.has(url) ? {} : { dispatcher: deps.dispatcher }),
      });
      const location = res.headers.get("location");
      if (REDIRECTS.has(res.status) && location) {
        await res.body?.cancel();
        if (redirects.length >= args.maxRedirects)
          throw new ToolError(
            ErrorCode.INVALID_ARGUMENT,
            `more than ${args.maxRedirects} redirects from ${args.url}; raise maxRedirects or fetch the final URL`,
          );
        current = new URL(location, url).href;
        redirects.push(current);
        continue;
      }
      return await readResponse(args, url, res, redirects, signal);
    } finally {
      release();
    }
  }
}

async function readResponse(args: FetchArgs, url: URL, res: Response, redirects: string[], signal: AbortSignal): Promise<FetchResult> {
  const contentType = res.headers.get("content-type") ?? "";
  const mime = contentType.split(";")[0]?.trim().toLowerCase() ?? "";
  if (!TEXTUAL.test(mime)) {
    await res.body?.cancel();
    throw new ToolError(
      ErrorCode.INVALID_ARGUMENT,
      `unsupported content type "${mime || "(none)"}" at ${url.href}; only text, HTML, JSON and XML are fetched`,
    );
  }
  const { body, truncated } = await readCapped(res, args.maxBytes, signal);
  const charset = /charset="?([\w-]+)/i.exec(contentType)?.[1] ?? "utf-8";
  let raw: string;
  try {
    raw = new TextDecoder(charset).decode(body);
  } catch {
    raw = new TextDecoder("utf-8").decode(body); // unknown charset label: UTF-8 is the best guess
  }
  const isHtml = mime === "text/html" || mime === "application/xhtml+xml";
  const extracted = args.extract && isHtml ? await extractReadable(raw) : { text: raw };
  return {
    url: args.url,
    finalUrl: url.href,
    status: res.status,
    contentType,
    ...(extracted.title === undefined ? {} : { title: extracted.title }),
    text: extracted.text,
    bytes: body.byteLength,
    truncated,
    redirects,
    fromCache: false,
  };
}

/** Reads at most maxBytes, then cancels the stream so the rest never crosses the wire. */
async function readCapped(res: Response, maxBytes: number, signal: AbortSignal): Promise<{ body: Uint8Array; truncated: boolean }> {
  if (!res.body) return { body: new Uint8Array(), truncated: false };
  const chunks: Uint8Array[] = [];
  let total = 0;
  let truncated = false;
  // A fetch body is bytes; the global Response types it ReadableStream<any>.
  const reader = res.body.getReader() as ReadableStreamDefaultReader<Uint8Array>;
  for (;;) {
    signal.throwIfAborted();
    const { done, value } = await reader.read();
    if (done) break;
    chunks.push(value);
    total += value.byteLength;
    if (total >= maxBytes) {
      // Only a byte beyond the cap proves truncation; exactly maxBytes may be the whole body.
      truncated = total > maxBytes || !(await reader.read()).done;
      await reader.cancel().catch(() => {});
      break;
    }
  }
  const body = Buffer.concat(chunks);
  return { body: body.subarray(0, Math.min(total, maxBytes)), truncated };
}

function toToolError(err: unknown): ToolError {
  if (err instanceof ToolError) return err;
  const cause = (err as { cause?: unknown })?.cause;
  if (cause instanceof SsrfRefusal)
    return new ToolError(ErrorCode.PERMISSION_DENIED, `refused: ${cause.message}; fetch a public address or allow-list the host`);
  const detail = cause instanceof Error ? cause.message : err instanceof Error ? err.message : String(err);
  return new ToolError(ErrorCode.UNAVAILABLE, `fetch failed: ${detail}`, { cause: err });
}
