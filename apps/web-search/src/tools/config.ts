import { ConfigError } from "@toolmesh/core";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { BRAVE_DEFAULT_URL } from "./providers/brave.js";
import { parseAllowList } from "./ssrf.js";
import { PROVIDER_NAMES, type ProviderName, type WebToolsOptions } from "./types.js";

const list = (v: string | undefined): string[] =>
  (v ?? "")
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);

/** Reads the TOOLMESH_WEB_* / TOOLMESH_FETCH_* variables (see index.ts); every bad one is named in one error. */
export function parseWebConfig(env: NodeJS.ProcessEnv, cwd = process.cwd()): WebToolsOptions {
  const problems: string[] = [];
  const providers = list(env.TOOLMESH_WEB_PROVIDERS ?? "local");
  for (const p of providers)
    if (!(PROVIDER_NAMES as readonly string[]).includes(p))
      problems.push(`TOOLMESH_WEB_PROVIDERS: unknown provider "${p}" (expected ${PROVIDER_NAMES.join(", ")})`);
  if (providers.length === 0) problems.push("TOOLMESH_WEB_PROVIDERS: names no provider");
  const url = (name: string, value: string | undefined): string | undefined => {
    if (value === undefined || value === "") return undefined;
    try {
      if (/^https?:$/.test(new URL(value).protocol)) return value;
    } catch {
      // reported below
    }
    problems.push(`${name}: "${value}" is not an http(s) URL`);
    return undefined;
  };
  const searxngUrl = url("TOOLMESH_SEARXNG_URL", env.TOOLMESH_SEARXNG_URL);
  const braveUrl = url("TOOLMESH_BRAVE_URL", env.TOOLMESH_BRAVE_URL) ?? BRAVE_DEFAULT_URL;
  const braveApiKey = env.TOOLMESH_BRAVE_API_KEY || undefined;
  if (providers.includes("searxng") && !searxngUrl && !env.TOOLMESH_SEARXNG_URL)
    problems.push("TOOLMESH_SEARXNG_URL: required when TOOLMESH_WEB_PROVIDERS includes searxng");
  if (providers.includes("brave") && !braveApiKey)
    problems.push("TOOLMESH_BRAVE_API_KEY: required when TOOLMESH_WEB_PROVIDERS includes brave");
  const int = (name: string, fallback: number, min: number): number => {
    const raw = env[name];
    if (raw === undefined || raw === "") return fallback;
    const n = Number(raw);
    if (Number.isInteger(n) && n >= min) return n;
    problems.push(`${name}: "${raw}" is not an integer >= ${min}`);
    return fallback;
  };
  const fetchPerHost = int("TOOLMESH_FETCH_PER_HOST", 4, 1);
  const fetchCacheTtlMs = int("TOOLMESH_FETCH_CACHE_TTL_MS", 60_000, 0);
  const fetchHostIntervalMs = int("TOOLMESH_FETCH_HOST_INTERVAL_MS", 0, 0);
  const fetchAllowHosts = list(env.TOOLMESH_FETCH_ALLOW_HOSTS);
  try {
    parseAllowList(fetchAllowHosts);
  } catch (err) {
    problems.push(`TOOLMESH_FETCH_ALLOW_HOSTS: ${(err as Error).message}`);
  }
  const localIndexDirs =
    env.TOOLMESH_LOCAL_INDEX_DIRS !== undefined
      ? list(env.TOOLMESH_LOCAL_INDEX_DIRS)
      : [join(cwd, "README.md"), join(cwd, "docs")].filter((p) => existsSync(p));
  if (problems.length) throw new ConfigError("web-search", problems);
  return {
    providers: providers as ProviderName[],
    ...(searxngUrl ? { searxngUrl } : {}),
    ...(braveApiKey ? { braveApiKey } : {}),
    braveUrl,
    localIndexDirs,
    fetchAllowHosts,
    fetchHostIntervalMs,
    fetchPerHost,
    fetchCacheTtlMs,
  };
}
