import { readFile } from "node:fs/promises";
import type { ServerResponse } from "node:http";
import { extname, join, normalize, sep } from "node:path";
import { fileURLToPath } from "node:url";

/** The page's built assets: dist/web beside this module's dist/ (libs/console/scripts/build-web.mjs writes them). */
export const consoleAssetsDir = fileURLToPath(new URL("./web/", import.meta.url));

const TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".svg": "image/svg+xml",
  ".map": "application/json",
};

/**
 * Serves a file of the page. The files hold no data (that comes from the
 * API, behind the token), so they are served to anyone who reaches the port.
 */
export async function serveAsset(res: ServerResponse, relative: string, dir = consoleAssetsDir): Promise<void> {
  const path = normalize(join(dir, relative === "" ? "index.html" : relative));
  if (!path.startsWith(dir.endsWith(sep) ? dir : dir + sep)) {
    res.writeHead(404).end();
    return;
  }
  let body: Buffer;
  try {
    body = await readFile(path);
  } catch {
    res.writeHead(404, { "content-type": "text/plain" }).end("not found\n");
    return;
  }
  res
    .writeHead(200, {
      "content-type": TYPES[extname(path)] ?? "application/octet-stream",
      "cache-control": "no-cache",
      "x-content-type-options": "nosniff",
      // The page runs its own bundle only, talks to its own origin only, and may not be framed.
      "content-security-policy":
        "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'",
    })
    .end(body);
}
