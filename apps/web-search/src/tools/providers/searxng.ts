import { ErrorCode, ToolError } from "@toolmesh/core";
import type { RawResult, SearchProvider } from "../types.js";
import { arr, getJson, obj, str } from "./http.js";

/**
 * SearXNG's JSON API (format=json must be enabled in the instance's
 * settings.yml, else it answers 403). An empty answer with every engine
 * listed as unresponsive is a failure, not "no results".
 */
export function searxngProvider(baseUrl: string): SearchProvider {
  const endpoint = new URL("search", baseUrl.endsWith("/") ? baseUrl : `${baseUrl}/`);
  return {
    name: "searxng",
    async search(query, maxResults, signal): Promise<RawResult[]> {
      const url = new URL(endpoint);
      url.searchParams.set("q", query);
      url.searchParams.set("format", "json");
      const { res, body } = await getJson("searxng", url, {}, signal, searxngHint);
      if (res.status === 429) throw new ToolError(ErrorCode.RESOURCE_EXHAUSTED, "searxng: rate limited (HTTP 429)");
      const data = obj(body);
      const results = arr(data.results)
        .map(obj)
        .filter((r) => str(r.url))
        .map((r) => ({
          url: str(r.url),
          title: str(r.title),
          snippet: str(r.content),
          ...(typeof r.score === "number" ? { score: r.score } : {}),
        }));
      const unresponsive = arr(data.unresponsive_engines).map((e) => arr(e).map(str).join(": "));
      if (results.length === 0 && unresponsive.length > 0)
        throw new ToolError(ErrorCode.UNAVAILABLE, `searxng: every engine failed (${unresponsive.join("; ")})`);
      return results.slice(0, maxResults);
    },
  };
}

function searxngHint(status: number): string | undefined {
  if (status === 403) return "enable the json format: search.formats in the instance's settings.yml";
  if (status === 401) return "the instance wants credentials; point TOOLMESH_SEARXNG_URL at one that does not";
  if (status === 404) return "check TOOLMESH_SEARXNG_URL: its /search was not found";
  return undefined;
}
