import type { ProviderAttempt } from "@toolmesh/tools";
import { ErrorCode, ToolError } from "@toolmesh/core";
import { canonicalUrl } from "@toolmesh/core";
import { CONFIGURE_WEB_SEARCH, isWebProvider } from "./providers/setup.js";
import type { RawResult, SearchArgs, SearchOutput, SearchProvider } from "./types.js";

/**
 * web.search: asks the chosen providers in parallel, each under its own
 * deadline, and fuses what comes back with reciprocal-rank fusion (RRF_K =
 * 60, the usual constant) — ranks, unlike raw scores, are comparable across
 * providers. A provider failing is reported, not fatal, unless all fail.
 */
const RRF_K = 60;

/** One fused hit, as web.search's output lists them. */
export type SearchResult = SearchOutput["results"][number];

export interface SearchSetup {
  /** Web providers left out of the configuration and why; reported when the caller did not choose providers. */
  unconfigured: ReadonlyArray<{ provider: string; reason: string }>;
}

export async function searchTool(
  args: SearchArgs,
  signal: AbortSignal,
  providers: ReadonlyMap<string, SearchProvider>,
  timeoutMs: number,
  setup: SearchSetup = { unconfigured: [] },
): Promise<SearchOutput> {
  const names = args.providers ? [...new Set(args.providers)] : [...providers.keys()];
  const unknown = names.filter((n) => !providers.has(n));
  if (unknown.length)
    throw new ToolError(
      ErrorCode.INVALID_ARGUMENT,
      `unknown or unconfigured provider(s) ${unknown.join(", ")}; configured: ${[...providers.keys()].join(", ")}`,
    );
  const settled = await Promise.all(names.map((name) => askOne(providers.get(name) as SearchProvider, args, signal, timeoutMs)));
  if (signal.aborted) throw new ToolError(ErrorCode.CANCELLED, "web.search cancelled by the caller");
  const failures = settled.flatMap((s, i) => (s.error ? [{ provider: names[i] ?? "", error: s.error.message, code: s.error.code }] : []));
  const attempts: ProviderAttempt[] = settled.map((s, i) => {
    const provider = names[i] ?? "";
    const web = isWebProvider(provider);
    return s.error
      ? { provider, web, outcome: "failed", code: s.error.code, error: withoutPrefix(provider, s.error.message) }
      : { provider, web, outcome: "ok", results: s.results?.length ?? 0 };
  });
  if (!args.providers)
    for (const u of setup.unconfigured) attempts.push({ provider: u.provider, web: true, outcome: "not configured", error: u.reason });
  const webReached = attempts.some((a) => a.web && a.outcome === "ok");
  const missed = attempts.filter((a) => a.web && a.outcome !== "ok");
  if (names.length > 0 && failures.length === names.length) {
    const allLimited = failures.every((f) => f.code === ErrorCode.RESOURCE_EXHAUSTED);
    const detail = failures.map((f) => `${f.provider}: ${withoutPrefix(f.provider, f.error)}`).join("; ");
    if (allLimited) throw new ToolError(ErrorCode.RESOURCE_EXHAUSTED, `every provider is rate limited (${detail}); retry later`);
    const absent = attempts.filter((a) => a.outcome === "not configured").map((a) => `${a.provider} (${a.error})`);
    throw new ToolError(
      ErrorCode.UNAVAILABLE,
      `every provider failed (${detail})${absent.length ? `; not configured: ${absent.join(", ")}` : ""}; ${CONFIGURE_WEB_SEARCH}`,
    );
  }
  const lists = settled.map((s, i) => ({ provider: names[i] ?? "", results: s.results ?? [] }));
  return {
    query: args.query,
    results: fuse(lists, args.maxResults),
    providers: names,
    failures,
    attempts,
    // False: whatever was found came from the local index of files only.
    webReached,
    ...(!webReached && missed.length > 0 ? { configure: CONFIGURE_WEB_SEARCH } : {}),
  };
}

/** Provider errors name their provider ("brave: HTTP 401"); an attempt already does. */
function withoutPrefix(provider: string, message: string): string {
  return message.startsWith(`${provider}: `) ? message.slice(provider.length + 2) : message;
}

async function askOne(
  provider: SearchProvider,
  args: SearchArgs,
  caller: AbortSignal,
  timeoutMs: number,
): Promise<{ results?: RawResult[]; error?: ToolError }> {
  const deadline = AbortSignal.timeout(timeoutMs);
  const signal = AbortSignal.any([caller, deadline]);
  // The race makes the deadline hold even for a provider that ignores its signal.
  let timer: NodeJS.Timeout | undefined;
  const expiry = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new ToolError(ErrorCode.DEADLINE_EXCEEDED, `timed out after ${timeoutMs} ms`)), timeoutMs);
  });
  try {
    return { results: await Promise.race([provider.search(args.query, args.maxResults, signal), expiry]) };
  } catch (err) {
    if (deadline.aborted && !caller.aborted)
      return { error: new ToolError(ErrorCode.DEADLINE_EXCEEDED, `timed out after ${timeoutMs} ms`) };
    return { error: ToolError.from(err) };
  } finally {
    clearTimeout(timer);
  }
}

/** RRF over canonical URLs; each merged result keeps its best-ranked appearance's fields. */
export function fuse(lists: Array<{ provider: string; results: RawResult[] }>, max: number): SearchResult[] {
  const merged = new Map<string, { best: RawResult; bestRank: number; provider: string; providers: string[]; score: number }>();
  for (const { provider, results } of lists) {
    results.forEach((r, i) => {
      const key = canonicalUrl(r.url);
      const rank = i + 1;
      const entry = merged.get(key);
      if (!entry) {
        merged.set(key, { best: r, bestRank: rank, provider, providers: [provider], score: 1 / (RRF_K + rank) });
        return;
      }
      // A provider listing the same page twice counts once, at its better rank.
      if (!entry.providers.includes(provider)) {
        entry.providers.push(provider);
        entry.score += 1 / (RRF_K + rank);
      }
      if (rank < entry.bestRank) Object.assign(entry, { best: r, bestRank: rank, provider });
    });
  }
  return [...merged.values()]
    .sort((a, b) => b.score - a.score || a.bestRank - b.bestRank)
    .slice(0, max)
    .map((e, i) => ({
      url: e.best.url,
      title: e.best.title,
      snippet: e.best.snippet,
      provider: e.provider,
      providers: e.providers,
      rank: i + 1,
      score: Number(e.score.toFixed(6)),
    }));
}
