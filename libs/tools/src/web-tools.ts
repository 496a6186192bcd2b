import { z } from "zod";
import { defineTool } from "./spec.js";

/**
 * What became of one provider in one web.search call, as its output lists
 * them under `attempts`; the synth tools read them back to say in a report
 * whether anything came from the web.
 */
export interface ProviderAttempt {
  provider: string;
  /** A web search provider (searxng, brave), not the local index of files. */
  web: boolean;
  outcome: "ok" | "failed" | "not configured";
  /** Hits it returned (ok only). */
  results?: number;
  /** Error code (failed only). */
  code?: string;
  /** Why it failed or is not configured: "connect ECONNREFUSED 127.0.0.1:8888", "TOOLMESH_SEARXNG_URL not set". */
  error?: string;
}

export const webSearch = defineTool({
  name: "web.search",
  pool: "web",
  shareable: true,
  openWorld: true,
  description: "Searches the configured providers (SearXNG, Brave, a local BM25 index); results deduplicated by canonical URL.",
  args: z
    .object({
      query: z.string().trim().min(1).max(512),
      /** Provider names to ask; all configured ones when omitted. */
      providers: z.array(z.string().min(1)).max(8).optional(),
      maxResults: z.number().int().min(1).max(100).default(10),
    })
    .strict(),
});

export const webFetch = defineTool({
  name: "web.fetch",
  pool: "web",
  shareable: true,
  openWorld: true,
  description: "HTTP(S) GET with bounded redirects, size and time caps, readable text from HTML, and an SSRF guard.",
  args: z
    .object({
      url: z.string().url().max(4096),
      maxBytes: z.number().int().min(1).max(16 * 1024 * 1024).default(2 * 1024 * 1024),
      timeoutMs: z.number().int().min(100).max(120_000).default(15_000),
      maxRedirects: z.number().int().min(0).max(10).default(5),
      /** Readable main text for HTML (Readability); false returns the raw body as text. */
      extract: z.boolean().default(true),
    })
    .strict(),
});
