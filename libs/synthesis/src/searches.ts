/**
 * Which search providers answered. web.search lists each provider's attempt
 * (`attempts`); the synth tools carry those lists on (`searches`, one per
 * web.search task) so a report at the end of merge → dedupe → rank still
 * knows whether anything came from the web, and says so when it did not.
 */
import type { ProviderAttempt } from "@toolmesh/tools";
import type { SynthInput } from "./normalise.js";
import { asAttempt, asCarried, asCarrying, asSearch, isObj } from "./shapes.js";

/** One web.search call's attempts, by the task that made it. */
export interface SearchAttempts {
  source: string;
  attempts: ProviderAttempt[];
  /** How to configure a web provider, when none answered this call. */
  configure?: string;
}

export interface ProviderSummary {
  provider: string;
  web: boolean;
  /** web.search calls it answered, failed, or was not configured for. */
  ok: number;
  failed: number;
  notConfigured: number;
  /** Hits it returned over all calls. */
  results: number;
  /** Distinct reasons it failed or is not configured (at most 3). */
  errors: string[];
}

export interface SearchSummary {
  /** web.search calls seen. */
  searches: number;
  /** Some web provider answered at least one search. */
  webReached: boolean;
  /** No web provider answered any search: every search result is from the local index of files. */
  localOnly: boolean;
  providers: ProviderSummary[];
  /** How to configure a web provider (when none answered). */
  configure: string | null;
}

function readSearch(v: unknown, source: string): SearchAttempts | undefined {
  const search = asSearch(v);
  if (!search) return undefined;
  const attempts = search.attempts.map(asAttempt).filter((a): a is ProviderAttempt => a !== undefined);
  if (attempts.length === 0) return undefined;
  return { source, attempts, ...(search.configure !== undefined ? { configure: search.configure } : {}) };
}

/**
 * The searches behind `inputs`: web.search outputs themselves, and the
 * `searches` synth outputs carry. One per source task, so a search seen
 * through two paths (rank and correlate of the same results) counts once.
 */
export function searchesOf(inputs: readonly SynthInput[]): SearchAttempts[] {
  const out = new Map<string, SearchAttempts>();
  // Array.isArray narrows to any[]; the annotation keeps the element type.
  const list: readonly SynthInput[] = Array.isArray(inputs) ? inputs : [];
  for (const input of list) {
    const output = isObj(input) ? input.output : undefined;
    if (!isObj(output)) continue;
    const own = readSearch(output, typeof input.source === "string" ? input.source : "?");
    if (own) out.set(own.source, own);
    for (const carried of asCarrying(output)?.searches ?? []) {
      const from = asCarried(carried);
      const s = from ? readSearch(carried, from.source) : undefined;
      if (s && !out.has(s.source)) out.set(s.source, s);
    }
  }
  return [...out.values()].sort((a, b) => (a.source < b.source ? -1 : a.source > b.source ? 1 : 0));
}

/** Per provider over every search, in the order providers first appear; null without searches. */
export function summarizeSearches(searches: readonly SearchAttempts[]): SearchSummary | null {
  if (searches.length === 0) return null;
  const providers = new Map<string, ProviderSummary>();
  for (const search of searches) {
    for (const a of search.attempts) {
      const p = providers.get(a.provider) ?? {
        provider: a.provider,
        web: a.web,
        ok: 0,
        failed: 0,
        notConfigured: 0,
        results: 0,
        errors: [],
      };
      if (a.outcome === "ok") p.ok++;
      else if (a.outcome === "failed") p.failed++;
      else p.notConfigured++;
      p.results += a.results ?? 0;
      if (a.error && a.outcome !== "ok" && !p.errors.includes(a.error) && p.errors.length < 3) p.errors.push(a.error);
      providers.set(a.provider, p);
    }
  }
  const list = [...providers.values()];
  const webReached = list.some((p) => p.web && p.ok > 0);
  return {
    searches: searches.length,
    webReached,
    localOnly: !webReached,
    providers: list,
    configure: webReached ? null : (searches.find((s) => s.configure)?.configure ?? null),
  };
}
