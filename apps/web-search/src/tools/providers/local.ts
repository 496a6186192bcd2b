import { readdir, readFile, stat } from "node:fs/promises";
import { basename, extname, join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { Bm25Index, bestPassage } from "@toolmesh/text";
import type { RawResult, SearchProvider } from "../types.js";

/**
 * The local provider: a BM25 index over text, Markdown and HTML files under
 * the configured paths, built once on first use (the files are docs that
 * change rarely; a restart picks up changes).
 */
const EXTENSIONS = new Set([".md", ".markdown", ".txt", ".rst", ".html", ".htm"]);
const MAX_FILE_BYTES = 1024 * 1024;
const MAX_FILES = 5000;

interface Doc {
  path: string;
  title: string;
  text: string;
}

interface LocalIndex {
  docs: Doc[];
  bm25: Bm25Index;
}

export function localProvider(paths: readonly string[]): SearchProvider {
  let index: LocalIndex | undefined;
  let building: Promise<LocalIndex> | undefined;
  return {
    name: "local",
    async search(query, maxResults, signal): Promise<RawResult[]> {
      building ??= loadDocs(paths).then((docs) => (index = { docs, bm25: new Bm25Index(docs.map((d) => d.text)) }));
      const { docs, bm25 } = index ?? (await building);
      signal.throwIfAborted();
      const scores = bm25.scores(query);
      return docs
        .map((doc, i) => ({ doc, score: scores[i] ?? 0 }))
        .filter((hit) => hit.score > 0)
        .sort((a, b) => b.score - a.score || a.doc.path.localeCompare(b.doc.path))
        .slice(0, maxResults)
        .map(({ doc, score }) => ({
          url: pathToFileURL(doc.path).href,
          title: doc.title,
          snippet: bestPassage(doc.text, query),
          score,
        }));
    },
  };
}

async function loadDocs(paths: readonly string[]): Promise<Doc[]> {
  const files: string[] = [];
  for (const p of paths) await collect(resolve(p), files);
  const docs: Doc[] = [];
  for (const path of files) {
    const raw = await readFile(path, "utf8").catch(() => undefined);
    if (raw === undefined || raw.includes("\0")) continue; // unreadable or binary
    const html = /\.html?$/i.test(path);
    const text = html ? htmlText(raw) : raw;
    docs.push({ path, title: titleOf(raw, html) ?? basename(path), text });
  }
  return docs;
}

/** Walks a file or directory; hidden entries and node_modules are skipped, symlinks not followed. */
async function collect(path: string, out: string[]): Promise<void> {
  if (out.length >= MAX_FILES) return;
  const info = await stat(path).catch(() => undefined);
  if (!info) return;
  if (info.isFile()) {
    if (EXTENSIONS.has(extname(path).toLowerCase()) && info.size <= MAX_FILE_BYTES) out.push(path);
    return;
  }
  if (!info.isDirectory()) return;
  const entries = await readdir(path, { withFileTypes: true }).catch(() => []);
  for (const e of entries.sort((a, b) => a.name.localeCompare(b.name))) {
    if (e.name.startsWith(".") || e.name === "node_modules" || e.isSymbolicLink()) continue;
    await collect(join(path, e.name), out);
  }
}

function titleOf(raw: string, html: boolean): string | undefined {
  const m = html ? /<title[^>]*>([^<]+)<\/title>|<h1[^>]*>([^<]+)<\/h1>/i.exec(raw) : /^#{1,6}[ \t]+(.+?)[ \t#]*$/m.exec(raw);
  return (m?.[1] ?? m?.[2])?.trim() || undefined;
}

function htmlText(raw: string): string {
  return raw
    .replace(/<(script|style|noscript)[^>]*>[\s\S]*?<\/\1>/gi, " ")
    .replace(/<[^>]+>/g, " ")
    .replace(/&nbsp;/g, " ")
    .replace(/&amp;/g, "&")
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/\s+/g, " ");
}
