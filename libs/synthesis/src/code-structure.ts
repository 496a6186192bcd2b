/**
 * What the report derives about a codebase from records: modules (top-level
 * directories; "apps/x"-style containers count one level deeper) and the
 * import edges between them, from files' `imports` or from grep matches
 * that are import statements (`import … from "x"`, `require("x")`).
 */
import { posix } from "node:path";
import type { SynthRecord } from "./record.js";

const CONTAINERS = new Set(["apps", "libs", "packages", "services", "crates", "modules", "plugins", "cmd", "pkg", "internal", "src"]);

/** "libs/core/src/a.ts" → "libs/core"; "docs/x.md" → "docs"; "README.md" → "(root)". */
export function moduleOf(path: string): string {
  const parts = path.replace(/^\.\//, "").split("/");
  if (parts.length === 1) return "(root)";
  if (CONTAINERS.has(parts[0] as string) && parts.length > 2) return `${parts[0]}/${parts[1]}`;
  return parts[0] as string;
}

export interface ModuleStats {
  module: string;
  files: number;
  lines: number;
}

/** Files and lines per module, from file records (or, lacking those, the files of matches). */
export function modules(records: readonly SynthRecord[]): ModuleStats[] {
  const files = new Map<string, number>();
  for (const r of records) if (r.kind === "file" && r.path) files.set(r.path, Math.max(files.get(r.path) ?? 0, r.lines ?? 0));
  if (files.size === 0) for (const r of records) if (r.path && !files.has(r.path)) files.set(r.path, 0);
  const out = new Map<string, ModuleStats>();
  for (const [path, lines] of files) {
    const m = moduleOf(path);
    const entry = out.get(m) ?? { module: m, files: 0, lines: 0 };
    entry.files++;
    entry.lines += lines;
    out.set(m, entry);
  }
  return [...out.values()].sort((a, b) => b.files - a.files || b.lines - a.lines || (a.module < b.module ? -1 : 1));
}

const IMPORT_PATTERNS = [
  /\bfrom\s+["']([^"']+)["']/g,
  /^\s*import\s+["']([^"']+)["']/g,
  /\brequire\(\s*["']([^"']+)["']\s*\)/g,
  /\bimport\(\s*["']([^"']+)["']\s*\)/g,
];

/** Import specifiers written in one line of code. */
export function importsInLine(text: string): string[] {
  const out: string[] = [];
  for (const re of IMPORT_PATTERNS) for (const m of text.matchAll(re)) if (m[1]) out.push(m[1]);
  return out;
}

export interface ModuleEdge {
  from: string;
  to: string;
  imports: number;
}

/**
 * Edges between modules. Relative specifiers resolve against the importing
 * file; a package name ("@toolmesh/core", "core") resolves to the module
 * whose directory has that name, when exactly one does. `statements` is how
 * many import statements were seen at all (0: nothing to derive edges from).
 */
export function moduleEdges(records: readonly SynthRecord[], known: readonly string[]): { edges: ModuleEdge[]; statements: number } {
  const byName = new Map<string, string | null>();
  for (const m of known) {
    const name = m.split("/").pop() as string;
    byName.set(name, byName.has(name) && byName.get(name) !== m ? null : m);
  }
  const counts = new Map<string, number>();
  let statements = 0;
  const seen = new Set<string>();
  const addEdge = (path: string, spec: string) => {
    const id = `${path}\0${spec}`;
    if (seen.has(id)) return;
    seen.add(id);
    statements++;
    const from = moduleOf(path);
    let to: string | undefined;
    if (spec.startsWith(".")) to = moduleOf(posix.normalize(posix.join(posix.dirname(path), spec)));
    else {
      const name = spec.startsWith("@") ? spec.split("/")[1] : spec.split("/")[0];
      to = name ? (byName.get(name) ?? undefined) : undefined;
    }
    if (!to || to === from || to.startsWith("..")) return;
    const key = `${from}\0${to}`;
    counts.set(key, (counts.get(key) ?? 0) + 1);
  };
  for (const r of records) {
    if (!r.path) continue;
    for (const spec of r.imports ?? []) addEdge(r.path, spec);
    if (r.kind === "match") for (const spec of importsInLine(r.text)) addEdge(r.path, spec);
  }
  const edges = [...counts.entries()].map(([k, imports]) => {
    const [from, to] = k.split("\0") as [string, string];
    return { from, to, imports };
  });
  edges.sort((a, b) => b.imports - a.imports || (a.from + a.to < b.from + b.to ? -1 : 1));
  return { edges, statements };
}
