import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FILES, call, failure, makeTree, toolsFor, type Fixture } from "./fixture.js";

const repoRoot = fileURLToPath(new URL("../../../../", import.meta.url));
let fx: Fixture;
beforeAll(async () => {
  fx = await makeTree();
});
afterAll(async () => fx?.cleanup());

type Symbol = { name: string; kind: string; line: number; exported: boolean };
type Report = { path: string; language: string; lines: number; bytes: number; symbols: Symbol[] };
type Analysis = {
  root: string;
  files: Report[];
  languages: Record<string, { files: number; lines: number }>;
  totalFiles: number;
  totalLines: number;
  truncated: boolean;
  skippedBinary: number;
};
const analyze = async (rootDir: string, args: Record<string, unknown>): Promise<Analysis> =>
  (await call(toolsFor(rootDir), "code.analyze", args)) as Analysis;
const brief = (symbols: Symbol[] | undefined): string[] =>
  (symbols ?? []).map((s) => `${s.kind} ${s.name}${s.exported ? " (exported)" : ""} @${s.line}`);

describe("code.analyze", () => {
  it("TS/JS top-level symbols with export flags, from the syntax tree", async () => {
    const out = await analyze(fx.rootDir, { path: "src" });
    const byPath = new Map(out.files.map((f) => [f.path, f]));
    expect(brief(byPath.get("src/main.ts")?.symbols)).toEqual([
      "function main (exported) @1",
      "class Server (exported) @5",
      "const internal @6",
      "interface Options (exported) @7",
    ]);
    expect(brief(byPath.get("src/lib/deep.ts")?.symbols)).toEqual([
      "interface Shape @1",
      "type Id (exported) @2",
      "enum Color (exported) @3",
    ]);
    // module.exports.helper = helper marks the function exported.
    expect(brief(byPath.get("src/util.js")?.symbols)).toEqual(["const add (exported) @1", "function helper (exported) @3"]);
    expect(byPath.get("src/main.ts")).toMatchObject({ language: "TypeScript", lines: 7, bytes: Buffer.byteLength(FILES["src/main.ts"]!) });
  });

  it("Python, Go and Rust definitions at column 0, exported by each language's convention", async () => {
    const out = await analyze(fx.rootDir, { path: "src", include: ["*.py", "*.go", "*.rs"] });
    const byPath = new Map(out.files.map((f) => [f.path, f]));
    expect(brief(byPath.get("src/app.py")?.symbols)).toEqual([
      "function run (exported) @1",
      "class Thing (exported) @4",
      "function _private @8",
    ]);
    expect(brief(byPath.get("src/server.go")?.symbols)).toEqual([
      "function Serve (exported) @3",
      "method Close (exported) @4",
      "struct Config (exported) @5",
      "function helper @7",
    ]);
    expect(brief(byPath.get("src/lib.rs")?.symbols)).toEqual([
      "fn open (exported) @1",
      "fn close @2",
      "struct Handle (exported) @3",
      "enum Mode (exported) @4",
    ]);
    expect(out.files.map((f) => f.language)).toEqual(["Python", "Rust", "Go"]);
  });

  it("a tree: per-language totals, binaries skipped and counted, walk rules as for grep", async () => {
    const out = await analyze(fx.rootDir, {});
    const paths = out.files.map((f) => f.path);
    expect(paths).toContain("app/(group)/page.tsx");
    expect(paths).not.toContain("build/out.ts");
    expect(paths).not.toContain(".hidden/config.ts");
    expect(paths).not.toContain("data.bin");
    expect(out.skippedBinary).toBe(2); // data.bin, late-nul.txt
    expect(out.totalFiles).toBe(out.files.length);
    expect(out.totalLines).toBe(out.files.reduce((n, f) => n + f.lines, 0));
    const ts = out.files.filter((f) => f.language === "TypeScript");
    expect(out.languages.TypeScript).toEqual({ files: ts.length, lines: ts.reduce((n, f) => n + f.lines, 0) });
    expect(out.languages).toMatchObject({
      Python: { files: 1, lines: 9 },
      Go: { files: 1, lines: 7 },
      Rust: { files: 1, lines: 4 },
      JavaScript: { files: 1, lines: 4 },
      Markdown: { files: 1, lines: 2 },
    });
    expect(brief(out.files.find((f) => f.path === "app/(group)/page.tsx")?.symbols)).toEqual(["function Page (exported) @1"]);
    expect(out.files.find((f) => f.path === "no-newline.txt")).toMatchObject({ language: "Text", lines: 2 });
  });

  it("maxFiles cuts with truncated; include/exclude apply", async () => {
    const cut = await analyze(fx.rootDir, { maxFiles: 2 });
    expect(cut).toMatchObject({ totalFiles: 2, truncated: true });
    const onlyTs = await analyze(fx.rootDir, { include: ["*.ts"], exclude: ["lib/"] });
    expect(onlyTs.files.map((f) => f.path)).toEqual(["src/main.ts", "unicode.ts"]);
    expect(onlyTs.truncated).toBe(false);
  });

  it("a real file of this repository: libs/core/src/errors.ts", async () => {
    const out = await analyze(repoRoot, { path: "libs/core/src/errors.ts" });
    expect(out.totalFiles).toBe(1);
    const symbols = out.files[0]!.symbols;
    const exported = symbols.filter((s) => s.exported).map((s) => `${s.kind} ${s.name}`);
    expect(exported).toEqual(
      expect.arrayContaining([
        "const ErrorCode",
        "type ErrorCode",
        "function isErrorCode",
        "class ToolError",
        "class ConfigError",
        "interface ToolErrorShape",
      ]),
    );
    expect(symbols.find((s) => s.name === "RETRYABLE")).toMatchObject({ kind: "const", exported: false });
  });

  it("re-exports of an index file, and this repository's libs/ as a whole", async () => {
    const index = await analyze(repoRoot, { path: "libs/tools/src/index.ts" });
    const names = index.files[0]!.symbols.filter((s) => s.kind === "reexport" && s.exported).map((s) => s.name);
    expect(names).toEqual(expect.arrayContaining(["codeGlob", "codeGrep", "codeRead", "codeAnalyze", "parseToolArgs"]));
    const libs = await analyze(repoRoot, { path: "libs", include: ["*.ts"] });
    expect(libs.languages.TypeScript!.files).toBeGreaterThan(20);
    expect(libs.files.some((f) => f.path.includes("/dist/"))).toBe(false); // the repository's .gitignore applies
  });

  it("paths outside the root are refused", async () => {
    expect(await failure(analyze(fx.rootDir, { path: "../outside" }))).toMatchObject({ code: "PERMISSION_DENIED" });
  });
});
