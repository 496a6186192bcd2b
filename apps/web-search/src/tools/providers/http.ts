import { ErrorCode, ToolError } from "@toolmesh/core";

/**
 * GETs JSON from a provider; HTTP and network failures become UNAVAILABLE
 * naming the provider and, through `hint`, what to check for a status.
 */
export async function getJson(
  provider: string,
  url: URL,
  headers: Record<string, string>,
  signal: AbortSignal,
  hint: (status: number) => string | undefined = () => undefined,
): Promise<{ res: Response; body: unknown }> {
  let res: Response;
  try {
    res = await fetch(url, { headers: { accept: "application/json", ...headers }, signal });
  } catch (err) {
    if (signal.aborted) throw signal.reason;
    throw new ToolError(ErrorCode.UNAVAILABLE, `${provider}: ${networkReason(err)}`);
  }
  if (res.status === 429) return { res, body: undefined };
  if (!res.ok) {
    await res.body?.cancel();
    const why = hint(res.status);
    throw new ToolError(ErrorCode.UNAVAILABLE, `${provider}: ${`HTTP ${res.status} ${res.statusText}`.trim()}${why ? ` (${why})` : ""}`);
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

/** fetch's "fetch failed" says nothing: the cause does ("connect ECONNREFUSED 127.0.0.1:8888"). */
function networkReason(err: unknown): string {
  const cause = (err as { cause?: Error & { code?: string; errors?: Error[] } }).cause;
  // A host with several addresses fails with an AggregateError whose own message is empty.
  return cause?.message || cause?.errors?.[0]?.message || cause?.code || (err as Error).message;
}
