import type { WebToolsOptions } from "../types.js";

/**
 * What web.search can say about the web providers it was not given: why
 * each is missing and how to configure one. Without a reachable web provider
 * the local index still answers, so callers must be told, not left to think
 * the project's own docs are the web.
 */

/** How to get a web search provider, for outputs and errors when none answered. */
export const CONFIGURE_WEB_SEARCH =
  "to search the web, give the web pool TOOLMESH_WEB_PROVIDERS=searxng,local and TOOLMESH_SEARXNG_URL (the base URL of a SearXNG instance with the json format enabled), " +
  "or TOOLMESH_WEB_PROVIDERS=brave,local and TOOLMESH_BRAVE_API_KEY (a Brave Search API key), e.g. in the environment of toolmesh up";

/** The local index searches files, not the web. */
export const isWebProvider = (name: string): boolean => name !== "local";

/** The web providers `options` leave out, each with the reason ("TOOLMESH_SEARXNG_URL not set"). */
export function unconfiguredWebProviders(
  options: WebToolsOptions,
  configured: ReadonlySet<string>,
): Array<{ provider: string; reason: string }> {
  const out: Array<{ provider: string; reason: string }> = [];
  if (!configured.has("searxng")) {
    out.push({
      provider: "searxng",
      reason: options.searxngUrl
        ? "TOOLMESH_SEARXNG_URL is set but TOOLMESH_WEB_PROVIDERS does not name searxng"
        : "TOOLMESH_SEARXNG_URL not set",
    });
  }
  if (!configured.has("brave")) {
    out.push({
      provider: "brave",
      reason: options.braveApiKey
        ? "TOOLMESH_BRAVE_API_KEY is set but TOOLMESH_WEB_PROVIDERS does not name brave"
        : "TOOLMESH_BRAVE_API_KEY not set",
    });
  }
  return out;
}
