import type { ToolArgs, ToolOutput, webFetch, webSearch } from "@toolmesh/tools";

export type SearchArgs = ToolArgs<typeof webSearch>;
export type FetchArgs = ToolArgs<typeof webFetch>;
export type SearchOutput = ToolOutput<typeof webSearch>;
export type FetchOutput = ToolOutput<typeof webFetch>;

export const PROVIDER_NAMES = ["local", "searxng", "brave"] as const;
export type ProviderName = (typeof PROVIDER_NAMES)[number];

/** One hit as a provider reports it, before fusion; rank is 1-based within that provider. */
export interface RawResult {
  url: string;
  title: string;
  snippet: string;
  score?: number;
}

export interface SearchProvider {
  readonly name: string;
  search(query: string, maxResults: number, signal: AbortSignal): Promise<RawResult[]>;
}

export interface WebToolsOptions {
  /** Providers to configure, in order; web.search asks all of them unless told otherwise. */
  providers: ProviderName[];
  searxngUrl?: string;
  braveApiKey?: string;
  braveUrl?: string;
  /** Files or directories the local BM25 index covers. */
  localIndexDirs?: string[];
  /** "host" or "host:port" entries exempt from the SSRF guard. */
  fetchAllowHosts?: string[];
  fetchPerHost?: number;
  /** Politeness: least time between the starts of two fetches to one host:port. */
  fetchHostIntervalMs?: number;
  fetchCacheTtlMs?: number;
  /** Per-provider deadline for one search; 5 s unless set (tests shorten it). */
  providerTimeoutMs?: number;
  /** Extra providers (tests, embedders) registered under their own names. */
  extraProviders?: SearchProvider[];
}
