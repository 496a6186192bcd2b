/**
 * @toolmesh/web-search — the web pool's tools (src/tools): web.search over
 * SearXNG, Brave and a local BM25 index, and web.fetch behind an SSRF guard.
 * main.ts wires them to the worker runtime.
 *
 *   const tools = createWebTools(parseWebConfig(process.env));
 */
export { createWebTools, parseWebConfig } from "./tools/index.js";
export type { FetchResult, SearchResult, WebTools, WebToolsOptions } from "./tools/index.js";
