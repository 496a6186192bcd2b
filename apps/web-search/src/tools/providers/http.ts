import { ErrorCode, ToolError } from "@toolmesh/core";

/** GETs JSON from a provider; HTTP and network failures become UNAVAILABLE naming the provider. */
export async function getJson(provider: string, url: URL, headers: Record<string, string>, signal: AbortSignal): Promise<{ res: Response; body: unknown }> {
  let res: Response;
  try {
    res = await fetch(url, { headers: { accept: "application/json", ...headers }, signal });
  } catch (err) {
    if (signal.aborted) throw signal.reason;
    const cause = (err as { cause?: Error }).cause;
    throw new ToolError(ErrorCode.UNAVAILABLE, `${provider}: ${cause?.message ?? (err as Error).message}`);
  }
  if (res.status === 429) return { res, body: undefined };
  if (!res.ok) {
    await res.body?.cancel();
    throw new ToolError(ErrorCode.UNAVAILABLE, `${provider}: HTTP ${res.status} ${res.statusText}`.trim());
  }
  try {
    return { res, body: await res.json() };
  } catch {
    throw new ToolError(ErrorCode.UNAVAILABLE, `${provider}: response is not JSON`);
  }
}

export const str = (v: unknown): string => (typeof v === "string" ? v : "");
export const arr = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
export const obj = (v: unknown): Record<string, unknown> => (v && typeof v === "object" ? (v as Record<string, unknown>) : {});
