import { z } from "zod";
import { defineTool } from "./spec.js";

/**
 * What became of one provider in one web.search call, as its output lists
 * them under `attempts`; the synth tools read them back to say in a report
 * whether anything came from the web.
 */
export const providerAttempt = z
  .object({
    provider: z.string(),
    /** A web search provider (searxng, brave), not the local index of files. */
    web: z.boolean(),
    outcome: z.enum(["ok", "failed", "not configured"]),
    /** Hits it returned (ok only). */
    results: z.number().int().min(0).optional(),
    /** Error code (failed only). */
    code: z.string().optional(),
    /** Why it failed or is not configured: "connect ECONNREFUSED 127.0.0.1:8888", "TOOLMESH_SEARXNG_URL not set". */
    error: z.string().optional(),
  })
  .strict();
export type ProviderAttempt = z.infer<typeof providerAttempt>;

/** One fused web.search hit; `provider` is the one whose (best) rank it kept. */
export const searchResult = z
  .object({
    url: z.string(),
    title: z.string(),
    snippet: z.string(),
    provider: z.string(),
    /** Every provider that returned it. */
    providers: z.array(z.string()),
    /** 1-based, after fusion. */
    rank: z.number().int().min(1),
    /** Reciprocal-rank fusion score. */
    score: z.number(),
  })
  .strict();

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
  output: z
    .object({
      query: z.string(),
      results: z.array(searchResult),
      /** The providers asked. */
      providers: z.array(z.string()),
      failures: z.array(z.object({ provider: z.string(), error: z.string(), code: z.string() }).strict()),
      attempts: z.array(providerAttempt),
      /** Some web provider answered (false: whatever was found came from the local index only). */
      webReached: z.boolean(),
      /** How to configure a web provider, when none answered. */
      configure: z.string().optional(),
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
      maxBytes: z
        .number()
        .int()
        .min(1)
        .max(16 * 1024 * 1024)
        .default(2 * 1024 * 1024),
      timeoutMs: z.number().int().min(100).max(120_000).default(15_000),
      maxRedirects: z.number().int().min(0).max(10).default(5),
      /** Readable main text for HTML (Readability); false returns the raw body as text. */
      extract: z.boolean().default(true),
    })
    .strict(),
  output: z
    .object({
      /** As asked for. */
      url: z.string(),
      /** After redirects. */
      finalUrl: z.string(),
      status: z.number().int(),
      contentType: z.string(),
      /** The HTML page's title, when extracted. */
      title: z.string().optional(),
      text: z.string(),
      /** Of the body read (at most maxBytes). */
      bytes: z.number().int().min(0),
      truncated: z.boolean(),
      /** The URLs redirected through, in order. */
      redirects: z.array(z.string()),
      fromCache: z.boolean(),
    })
    .strict(),
});
