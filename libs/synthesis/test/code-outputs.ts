/**
 * What the code.* tools return over TREE, written out (as the codebase
 * service returned it) rather than produced by running that service: a lib's
 * tests do not import an app. Each output is parsed with its tool's output
 * schema from the catalog, so a change to the tools' contract that these no
 * longer fit fails here; sizes and line counts are computed from TREE.
 */
import { codeAnalyze, codeGlob, codeGrep, codeRead } from "@toolmesh/tools";
import { TREE } from "./fixtures.js";

const text = (path: string): string => {
  const content = TREE[path];
  if (content === undefined) throw new Error(`${path} is not in TREE`);
  return content;
};
const bytes = (path: string): number => Buffer.byteLength(text(path));
// As ripgrep numbers them; every TREE file ends with "\n".
const lines = (path: string): number => text(path).split("\n").length - 1;

const file = (path: string, language: string, symbols: Array<{ name: string; kind: string; line: number }>) => ({
  path,
  language,
  lines: lines(path),
  bytes: bytes(path),
  symbols: symbols.map((s) => ({ ...s, exported: true })),
});
const analyzed = [
  file("README.md", "Markdown", []),
  file("apps/api/src/main.ts", "TypeScript", [{ name: "main", kind: "function", line: 6 }]),
  file("apps/api/src/server.ts", "TypeScript", [{ name: "serve", kind: "function", line: 1 }]),
  file("docs/guide.md", "Markdown", []),
  file("libs/core/src/errors.ts", "TypeScript", [
    { name: "ToolError", kind: "class", line: 1 },
    { name: "ErrorCode", kind: "const", line: 3 },
  ]),
  file("libs/core/src/index.ts", "TypeScript", [
    { name: "ErrorCode", kind: "reexport", line: 1 },
    { name: "ToolError", kind: "reexport", line: 1 },
  ]),
];
const languages: Record<string, { files: number; lines: number }> = {};
for (const f of analyzed) {
  const entry = (languages[f.language] ??= { files: 0, lines: 0 });
  entry.files++;
  entry.lines += f.lines;
}

const match = (path: string, line: number, column: number) => ({ path, line, column, text: text(path).split("\n")[line - 1] });

/** code.grep "TODO|FIXME|HACK", code.grep "^import ", code.analyze {}, code.glob "**\/*.md", code.read README.md. */
export const code = {
  grepTodo: codeGrep.output.parse({
    root: "repo",
    engine: "ripgrep",
    matches: [
      match("apps/api/src/main.ts", 3, 4),
      match("apps/api/src/main.ts", 4, 4),
      match("apps/api/src/main.ts", 5, 4),
      match("libs/core/src/errors.ts", 2, 4),
    ],
    count: 4,
    truncated: false,
  }) as Record<string, unknown>,
  grepImports: codeGrep.output.parse({
    root: "repo",
    engine: "ripgrep",
    matches: [match("apps/api/src/main.ts", 1, 1), match("apps/api/src/main.ts", 2, 1)],
    count: 2,
    truncated: false,
  }) as Record<string, unknown>,
  analyze: codeAnalyze.output.parse({
    root: "repo",
    files: analyzed,
    languages,
    totalFiles: analyzed.length,
    totalLines: analyzed.reduce((n, f) => n + f.lines, 0),
    truncated: false,
    skippedBinary: 0,
  }) as Record<string, unknown>,
  glob: codeGlob.output.parse({
    root: "repo",
    files: ["README.md", "docs/guide.md"].map((path) => ({ path, size: bytes(path) })),
    count: 2,
    truncated: false,
  }) as Record<string, unknown>,
  read: codeRead.output.parse({
    root: "repo",
    path: "README.md",
    content: text("README.md"),
    startLine: 1,
    endLine: lines("README.md"),
    totalLines: lines("README.md"),
    size: bytes("README.md"),
    truncated: false,
  }) as Record<string, unknown>,
};
