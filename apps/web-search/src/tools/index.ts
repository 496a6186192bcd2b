/**
 * The web pool's tools as a library: web.search (SearXNG, Brave and a local
 * BM25 index, fused and deduplicated) and web.fetch (guarded HTTP GET with
 * readable-text extraction). The worker wiring lives elsewhere; handlers take
 * arguments already parsed by @toolmesh/tools and a ToolCallContext (of which
 * they use only the signal).
 *
 *   const tools = createWebTools(parseWebConfig(process.env));
 *   await tools["web.fetch"](parseToolArgs("web.fetch", { url }), { signal });
 *
 * Environment (parseWebConfig; a bad value throws a ConfigError naming it):
 *   TOOLMESH_WEB_PROVIDERS       comma list of local, searxng, brave     default "local"
 *   TOOLMESH_SEARXNG_URL         SearXNG base URL (JSON format enabled)  required for searxng
 *   TOOLMESH_BRAVE_API_KEY       Brave Search subscription token         required for brave
 *   TOOLMESH_BRAVE_URL           Brave endpoint    default https://api.search.brave.com/res/v1/web/search
 *   TOOLMESH_LOCAL_INDEX_DIRS    comma list of files/dirs for the BM25 index
 *                                default ./README.md and ./docs, those that exist
 *   TOOLMESH_FETCH_ALLOW_HOSTS   comma list of host or host:port exempt from the SSRF guard
 *                                (e.g. 127.0.0.1:8080); default none
 *   TOOLMESH_FETCH_PER_HOST      concurrent fetches per host:port        default 4
 *   TOOLMESH_FETCH_HOST_INTERVAL_MS  politeness: least ms between fetch starts per host  default 0
 *   TOOLMESH_FETCH_CACHE_TTL_MS  web.fetch response cache TTL, 0 = off   default 60000
 *
 * web.search's output lists every provider's attempt ({provider, web, outcome
 * ok | failed | not configured, results, code, error}) and says whether any web
 * provider answered (webReached); when none did, `configure` says how to get one.
 *
 * Error codes: PERMISSION_DENIED for SSRF refusals; INVALID_ARGUMENT for bad
 * URLs, schemes, unknown providers, unsupported content types and too many
 * redirects; UNAVAILABLE for provider/network failures; RESOURCE_EXHAUSTED
 * when every asked provider is rate limited; DEADLINE_EXCEEDED; CANCELLED.
 */
import { ErrorCode, ToolError } from "@toolmesh/core";
import { defineHandler, webFetch, webSearch, type ToolHandler } from "@toolmesh/tools";
import { LRUCache } from "lru-cache";
import { fetchTool, type FetchResult } from "./fetch.js";
import { HostGate } from "./limits.js";
import { braveProvider } from "./providers/brave.js";
import { localProvider } from "./providers/local.js";
import { searxngProvider } from "./providers/searxng.js";
import { unconfiguredWebProviders } from "./providers/setup.js";
import { searchTool } from "./search.js";
import { guardedAgent, parseAllowList, type Resolver } from "./ssrf.js";
import type { SearchProvider, WebToolsOptions } from "./types.js";

export { parseWebConfig } from "./config.js";
export { canonicalUrl } from "@toolmesh/core";
export { forbiddenReason } from "./ip.js";
export { checkUrl, guardedLookup, parseAllowList } from "./ssrf.js";
export { fuse, type SearchResult } from "./search.js";
export type { ProviderAttempt } from "@toolmesh/tools";
export { CONFIGURE_WEB_SEARCH, isWebProvider } from "./providers/setup.js";
export { braveProvider, retryAfterMs, BRAVE_DEFAULT_URL } from "./providers/brave.js";
export { localProvider } from "./providers/local.js";
export { searxngProvider } from "./providers/searxng.js";
export { extractReadable } from "./extract.js";
export type { FetchResult } from "./fetch.js";
export type { RawResult, SearchProvider, WebToolsOptions, ProviderName } from "./types.js";

export interface WebTools {
  "web.search": ToolHandler;
  "web.fetch": ToolHandler;
  /** Names of the configured search providers, in the order they are asked. */
  providers: string[];
  /** Releases the guarded connection pool. */
  close(): Promise<void>;
}

export function createWebTools(options: WebToolsOptions, internals: { resolve?: Resolver } = {}): WebTools {
  const providers = new Map<string, SearchProvider>();
  for (const name of options.providers) providers.set(name, makeProvider(name, options));
  for (const p of options.extraProviders ?? []) providers.set(p.name, p);
  const allow = parseAllowList(options.fetchAllowHosts ?? []);
  const dispatcher = guardedAgent(internals.resolve);
  const gate = new HostGate(options.fetchPerHost ?? 4, options.fetchHostIntervalMs ?? 0);
  const cacheTtlMs = options.fetchCacheTtlMs ?? 60_000;
  // lru-cache reads ttl 0 as "never expires"; here 0 means no cache at all.
  const cache = cacheTtlMs > 0 ? new LRUCache<string, FetchResult>({ max: 256, ttl: cacheTtlMs }) : undefined;
  const timeoutMs = options.providerTimeoutMs ?? 5000;
  const setup = { unconfigured: unconfiguredWebProviders(options, new Set(providers.keys())) };
  return {
    "web.search": defineHandler(webSearch, (args, ctx) => searchTool(args, ctx.signal, providers, timeoutMs, setup)),
    "web.fetch": defineHandler(webFetch, (args, ctx) =>
      fetchTool(args, ctx.signal, {
        allow,
        dispatcher,
        gate,
        ...(cache ? { cache } : {}),
        ...(internals.resolve ? { resolve: internals.resolve } : {}),
      }),
    ),
    providers: [...providers.keys()],
    close: () => dispatcher.close(),
  };
}

function makeProvider(name: string, o: WebToolsOptions): SearchProvider {
  switch (name) {
    case "local":
      return localProvider(o.localIndexDirs ?? []);
    case "searxng":
      if (!o.searxngUrl) throw new Error("the searxng provider needs searxngUrl (TOOLMESH_SEARXNG_URL)");
      return searxngProvider(o.searxngUrl);
    case "brave":
      if (!o.braveApiKey) throw new Error("the brave provider needs braveApiKey (TOOLMESH_BRAVE_API_KEY)");
      return braveProvider(o.braveApiKey, o.braveUrl);
    default:
      throw new ToolError(ErrorCode.INVALID_ARGUMENT, `unknown provider "${name}"; use local, searxng or brave`);
  }
}
