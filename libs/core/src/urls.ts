/**
 * The identity of a web page: the same page reached with a different case,
 * default port, fragment, trailing slash or utm_* tracking parameters is one
 * page. web.search merges providers' results by it; synthesis dedupes by it.
 */
export function canonicalUrl(raw: string): string {
  let url: URL;
  try {
    url = new URL(raw.trim());
  } catch {
    return raw.trim();
  }
  // URL already lowercases scheme and host and drops the scheme's default port.
  url.hash = "";
  for (const key of [...url.searchParams.keys()]) {
    if (/^utm_/i.test(key)) url.searchParams.delete(key);
  }
  url.searchParams.sort();
  if (url.pathname.length > 1 && url.pathname.endsWith("/")) url.pathname = url.pathname.replace(/\/+$/, "");
  let out = url.href;
  if (!url.search && out.endsWith("?")) out = out.slice(0, -1);
  if (url.pathname === "/" && !url.search) out = out.replace(/\/$/, "");
  return out;
}
