import type { TaskSpec, WorkflowSpec } from "@toolmesh/proto";
import { z } from "zod";
import { ALL_SETTLED, idsOf, task, workflow } from "./graph.js";
import { ROOT_NAMESPACE, type Namespace } from "./naming.js";
import { parseParams } from "./params.js";
import { pathParam, rootParam } from "./scope.js";
import { termsOf } from "./terms.js";

export const EXPLORE_CODEBASE = "explore-codebase";

export const exploreCodebaseParams = z
  .object({
    /** Directory to explore, relative to the root; absolute paths and ".." escapes are refused. */
    path: pathParam().default("."),
    /** Name of a configured codebase root; the codebase service's first root when omitted. */
    root: rootParam().optional(),
    /** What to look for; its words are grepped for and it ranks the hits. */
    question: z.string().trim().max(2048, "question must be at most 2048 characters").optional(),
    /** Source files analysed at most (code.analyze fan-out cap). */
    maxFiles: z
      .number()
      .int()
      .min(1, "maxFiles must be at least 1")
      .max(1000, "maxFiles must be at most 1000 (the coordinator's fan-out cap)")
      .default(400),
    /** Top hits read at most (code.read fan-out cap). */
    maxReads: z.number().int().min(1, "maxReads must be at least 1").max(100, "maxReads must be at most 100").default(12),
  })
  .strict();

export type ExploreCodebaseParams = z.input<typeof exploreCodebaseParams>;

/** Source files by language family: one glob task each, walked in parallel. */
export const SOURCE_FAMILIES: Readonly<Record<string, readonly string[]>> = {
  js: ["*.{ts,tsx,mts,cts,js,jsx,mjs,cjs,vue,svelte}"],
  python: ["*.{py,pyi}"],
  go: ["*.go"],
  rust: ["*.rs"],
  jvm: ["*.{java,kt,kts,scala,groovy,clj}"],
  native: ["*.{c,h,cc,cpp,cxx,hh,hpp,hxx,m,mm,cs,swift,zig}"],
  scripts: ["*.{rb,php,sh,bash,zsh,lua,pl,ex,exs,erl,hs,ml,dart,r,jl,sql}"],
};

/** Documentation and manifests: listed for the report, not analysed. */
const META_PATTERNS = [
  "*.md",
  "*.rst",
  "package.json",
  "pyproject.toml",
  "setup.py",
  "Cargo.toml",
  "go.mod",
  "pom.xml",
  "build.gradle*",
  "Makefile",
  "Dockerfile",
  "*.proto",
];

/** Generated or vendored files that say little about the code (gitignore already hides most). */
const EXCLUDE = ["*.d.ts", "*.min.js", "*.map", "node_modules/", "vendor/", "dist/"];

/** Greps for the shape of a codebase, whatever the question. */
export const STRUCTURE_GREPS: Readonly<Record<string, string>> = {
  entry: String.raw`\bfunc main\(|\bdef main\(|\bfn main\(|static void main\(|__name__ == .__main__.|export default|\.listen\(|"bin"\s*:`,
  exports: String.raw`^\s*(export\s|module\.exports|pub (fn|struct|enum|trait)\s)`,
  todo: String.raw`\b(TODO|FIXME|HACK|XXX)\b`,
  tests: String.raw`\b(describe|it|test)\(|\bdef test_|\bfunc Test`,
};

/** Bytes read from each top hit: the matched line and what follows (about a screen of code). */
const READ_BYTES = 4096;

export interface CodebaseGraph {
  tasks: TaskSpec[];
  /** The ranked hits (synth.rank). */
  ranked: string;
  /** Every task a report over this graph should read. */
  content: string[];
}

type Parsed = z.output<typeof exploreCodebaseParams>;

export function codebaseGraph(p: Parsed, ns: Namespace = ROOT_NAMESPACE): CodebaseGraph {
  const { id, stage } = ns;
  const scope = { root: p.root, path: p.path };

  const discover = stage("discover");
  const globs = Object.entries(SOURCE_FAMILIES).map(([family, patterns]) =>
    task({
      id: id(`glob-${family}`),
      tool: "code.glob",
      stage: discover,
      args: { ...scope, patterns: [...patterns], exclude: EXCLUDE, maxResults: p.maxFiles },
    }),
  );
  const meta = task({
    id: id("glob-meta"),
    tool: "code.glob",
    stage: discover,
    args: { ...scope, patterns: META_PATTERNS, exclude: EXCLUDE, maxResults: 200 },
  });
  // One list of every source file, so the analysis fan-out is capped at maxFiles in all, not per family.
  const files = task({ id: id("files"), tool: "synth.merge", stage: discover, args: {}, dependsOn: idsOf(globs), fanIn: ALL_SETTLED });

  const analyze = task({
    id: id("analyze"),
    tool: "code.analyze",
    stage: stage("analyse"),
    args: { root: p.root, path: "{{item}}", maxFiles: 1 },
    forEach: { from: files.id, items: "records[].path", maxItems: p.maxFiles },
    fanIn: ALL_SETTLED,
  });

  const search = stage("search");
  const terms = p.question ? termsOf(p.question) : [];
  const termGreps = terms.map((term, i) =>
    task({
      id: id(`grep-q${i}`),
      tool: "code.grep",
      stage: search,
      args: { ...scope, pattern: term, literal: true, ignoreCase: true, exclude: EXCLUDE, maxResults: 200 },
    }),
  );
  const structureGreps = Object.entries(STRUCTURE_GREPS).map(([name, pattern]) =>
    task({ id: id(`grep-${name}`), tool: "code.grep", stage: search, args: { ...scope, pattern, exclude: EXCLUDE, maxResults: 200 } }),
  );
  const greps = [...termGreps, ...structureGreps];

  const rank = stage("rank");
  const hits = task({ id: id("hits"), tool: "synth.merge", stage: rank, args: {}, dependsOn: idsOf(greps), fanIn: ALL_SETTLED });
  // Same path:line found by several greps counts once; grep lines alike in text are still different places.
  const unique = task({ id: id("hits-unique"), tool: "synth.dedupe", stage: rank, args: { similarity: 1 }, dependsOn: [hits.id] });
  const ranked = task({
    id: id("ranked"),
    tool: "synth.rank",
    stage: rank,
    args: { query: p.question || undefined, limit: Math.max(50, p.maxReads * 4) },
    dependsOn: [unique.id],
  });

  // Each top hit read from its matched line on ({{item.line}} keeps its number type at dispatch).
  const read = task({
    id: id("read"),
    tool: "code.read",
    stage: stage("read"),
    args: { root: p.root, path: "{{item.path}}", startLine: "{{item.line}}", maxBytes: READ_BYTES },
    forEach: { from: ranked.id, items: "records", maxItems: p.maxReads },
    fanIn: ALL_SETTLED,
  });

  const tasks = [...globs, meta, files, analyze, ...greps, hits, unique, ranked, read];
  return { tasks, ranked: ranked.id, content: idsOf(tasks) };
}

export function exploreCodebase(params: unknown): WorkflowSpec {
  const p = parseParams(EXPLORE_CODEBASE, exploreCodebaseParams, params);
  const graph = codebaseGraph(p);
  const report = task({
    id: "report",
    tool: "synth.report",
    stage: "report",
    args: {
      title: `Codebase: ${p.path}${p.root !== undefined ? ` (root ${p.root})` : ""}`.slice(0, 256),
      question: p.question || undefined,
      maxItems: 30,
    },
    dependsOn: graph.content,
    fanIn: ALL_SETTLED,
  });
  return workflow(EXPLORE_CODEBASE, [...graph.tasks, report]);
}
