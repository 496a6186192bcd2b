import { ErrorCode, ToolError } from "@toolmesh/core";
import type { RawResult, SearchProvider } from "../types.js";
import { arr, getJson, obj, str } from "./http.js";

export const BRAVE_DEFAULT_URL = "https://api.search.brave.com/res/v1/web/search";

/**
 * Brave Search API. A 429 puts the provider in back-off until Retry-After
 * (or the X-RateLimit-Reset of the exhausted window) passes; meanwhile it
 * fails fast with RESOURCE_EXHAUSTED instead of spending quota on retries.
 */
export function braveProvider(apiKey: string, endpoint = BRAVE_DEFAULT_URL, now = Date.now): SearchProvider & { backoffUntil(): number } {
  let blockedUntil = 0;
  return {
    name: "brave",
    backoffUntil: () => blockedUntil,
    async search(query, maxResults, signal): Promise<RawResult[]> {
      if (now() < blockedUntil)
        throw new ToolError(ErrorCode.RESOURCE_EXHAUSTED, `brave: rate limited for ${Math.ceil((blockedUntil - now()) / 1000)} s more`);
      const url = new URL(endpoint);
      url.searchParams.set("q", query);
      url.searchParams.set("count", String(Math.min(maxResults, 20))); // the API caps count at 20
      const { res, body } = await getJson("brave", url, { "X-Subscription-Token": apiKey }, signal, braveHint);
      if (res.status === 429) {
        await res.body?.cancel();
        blockedUntil = now() + retryAfterMs(res.headers);
        throw new ToolError(
          ErrorCode.RESOURCE_EXHAUSTED,
          `brave: rate limited (HTTP 429); retry in ${Math.ceil((blockedUntil - now()) / 1000)} s`,
        );
      }
      return arr(obj(obj(body).web).results)
        .map(obj)
        .filter((r) => str(r.url))
        .map((r) => ({ url: str(r.url), title: str(r.title), snippet: stripTags(str(r.description)) }))
        .slice(0, maxResults);
    },
  };
}

/** Retry-After (seconds or HTTP date), else the reset of the first exhausted X-RateLimit window, else 1 s. */
export function retryAfterMs(headers: Headers): number {
  const after = headers.get("retry-after");
  if (after) {
    const secs = Number(after);
    if (Number.isFinite(secs)) return Math.max(0, secs * 1000);
    const date = Date.parse(after);
    if (Number.isFinite(date)) return Math.max(0, date - Date.now());
  }
  const numbers = (name: string): number[] =>
    (headers.get(name) ?? "")
      .split(",")
      .filter((s) => s.trim() !== "")
      .map((s) => Number(s.trim()));
  const resets = numbers("x-ratelimit-reset");
  const remaining = numbers("x-ratelimit-remaining");
  // With no Remaining header we cannot tell which window ran out: wait for the longest.
  const exhausted = resets.filter((r, i) => Number.isFinite(r) && (remaining.length === 0 || remaining[i] === 0));
  const pick = exhausted.length ? Math.max(...exhausted) : NaN;
  return Number.isFinite(pick) ? pick * 1000 : 1000;
}

/** Brave wraps matched words in <strong>; snippets are plain text. */
const stripTags = (s: string): string => s.replace(/<[^>]+>/g, "");

function braveHint(status: number): string | undefined {
  if (status === 401 || status === 403) return "check TOOLMESH_BRAVE_API_KEY";
  if (status === 422) return "check TOOLMESH_BRAVE_URL and the key's plan";
  return undefined;
}
