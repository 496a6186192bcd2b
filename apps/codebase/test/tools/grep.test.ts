import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ENGINES, rg, call, failure, makeTree, toolsFor, type Fixture } from "./fixture.js";

let fx: Fixture;
beforeAll(async () => {
  fx = await makeTree();
});
afterAll(async () => fx?.cleanup());

type Match = { path: string; line: number; column: number; text: string; before?: string[]; after?: string[] };
const where = (out: Record<string, any>): string[] => (out.matches as Match[]).map((m) => `${m.path}:${m.line}:${m.column}`);

/** TODO with the default walk: ignore files honoured, hidden skipped (.env is whitelisted by "!.env"), binaries dropped. */
const DEFAULT_TODO = [
  ".env:1:1",
  "NOTES.LOG:1:1",
  "README.md:2:1",
  "a/b.txt:1:7",
  "a-b.txt:1:7",
  "a.txt:1:7",
  "app/(group)/page.tsx:1:52",
  "app/(group)/sub/inner.tsx:1:37",
  "bom.txt:1:4",
  "crlf.txt:1:1",
  "crlf.txt:2:10",
  "long.txt:1:4000",
  "no-newline.txt:2:6",
  "src/anchored.txt:1:1",
  "src/lib/keep.log:1:1",
  "src/lib/sub/local-only.ts:1:4",
  "src/main.ts:2:6",
  "src/util.js:3:29",
  "unicode.ts:1:30",
  "utf16.txt:1:8",
];

describe.each(ENGINES)("code.grep, %s engine", (engine, ripgrep) => {
  const tools = () => toolsFor(fx.rootDir, ripgrep);
  it.skipIf(engine === "ripgrep" && rg.skip)(
    "walks like ripgrep: ignore files of every kind, hidden, binaries, symlinks, path order",
    async () => {
      const out = await call(tools(), "code.grep", { pattern: "TODO" });
      expect(out.engine).toBe(engine);
      expect(out.root).toBe("root");
      expect(where(out)).toEqual(DEFAULT_TODO);
      expect(out.truncated).toBe(false);
    },
  );

  it.skipIf(engine === "ripgrep" && rg.skip)(
    "text: no line terminator, cut at 2000 characters; columns count code points after a BOM or UTF-16",
    async () => {
      const out = await call(tools(), "code.grep", { pattern: "TODO" });
      const byPath = new Map((out.matches as Match[]).map((m) => [`${m.path}:${m.line}`, m]));
      expect(byPath.get("crlf.txt:2")?.text).toBe("line two TODO");
      expect(byPath.get("long.txt:1")?.text).toBe("x".repeat(2000));
      expect(byPath.get("unicode.ts:1")?.text).toBe("const café = 'naïve'; // é 😀 TODO");
      expect(byPath.get("utf16.txt:1")?.text).toBe("wide é TODO");
      expect(byPath.get("bom.txt:1")?.text).toBe("xx TODO bom");
      expect(byPath.get("no-newline.txt:2")?.text).toBe("last TODO");
    },
  );

  it.skipIf(engine === "ripgrep" && rg.skip)("hidden + gitignore false: everything but .git, binaries and symlinks", async () => {
    const out = await call(tools(), "code.grep", { pattern: "TODO", hidden: true, gitignore: false });
    const paths = [...new Set((out.matches as Match[]).map((m) => m.path))];
    expect(paths).toEqual(
      expect.arrayContaining([
        ".hidden/config.ts",
        "anchored.txt",
        "build/out.ts",
        "debug.log",
        "excluded-by-git.txt",
        "rgignored.txt",
        "scratch/note.ts",
        "src/lib/generated.ts",
        "src/lib/local-only.ts",
        "src/lib/from-src.ts",
      ]),
    );
    expect(paths.filter((p) => /^\.git\/|data\.bin|late-nul|escape|inside-|loop/.test(p))).toEqual([]);
    const defaultPaths = new Set(DEFAULT_TODO.map((w) => w.split(":")[0]));
    expect(paths).toHaveLength(defaultPaths.size + 10);
  });

  it.skipIf(engine === "ripgrep" && rg.skip)("ignoreCase, literal, and $ does not match before \\r", async () => {
    const t = tools();
    const ci = await call(t, "code.grep", { pattern: "todo", ignoreCase: true, include: ["*.js"] });
    expect(where(ci)).toEqual(["src/util.js:2:4", "src/util.js:3:29"]);
    const literal = await call(t, "code.grep", { pattern: "a + b", literal: true });
    expect(literal.matches).toEqual([{ path: "src/util.js", line: 1, column: 30, text: "export const add = (a, b) => a + b;" }]);
    const dollar = await call(t, "code.grep", { pattern: "end\\$", include: ["crlf.txt"] });
    expect(where(dollar)).toEqual(["crlf.txt:3:1"]);
    expect((await call(t, "code.grep", { pattern: "\\$$", include: ["crlf.txt"] })).matches).toEqual([]);
  });

  it.skipIf(engine === "ripgrep" && rg.skip)(
    "include/exclude globs filter, never resurrect ignored or hidden files; anchored globs are relative to the path",
    async () => {
      const t = tools();
      const logs = await call(t, "code.grep", { pattern: "TODO", include: ["*.log"] });
      expect(where(logs)).toEqual(["src/lib/keep.log:1:1"]); // debug.log stays ignored
      const ts = await call(t, "code.grep", { pattern: "TODO", include: ["*.ts", "*.tsx"], exclude: ["app", "*.tsx"] });
      expect(ts.matches.map((m: Match) => m.path)).toEqual(["src/lib/sub/local-only.ts", "src/main.ts", "unicode.ts"]);
      const anchored = await call(t, "code.grep", { pattern: "TODO", path: "app/(group)", include: ["sub/*.tsx"] });
      expect(where(anchored)).toEqual(["app/(group)/sub/inner.tsx:1:37"]);
      const pruned = await call(t, "code.grep", { pattern: "TODO", exclude: ["src/lib/"], path: "." });
      expect(pruned.matches.some((m: Match) => m.path.startsWith("src/lib/"))).toBe(false);
      expect(pruned.matches.some((m: Match) => m.path === "src/main.ts")).toBe(true);
    },
  );

  it.skipIf(engine === "ripgrep" && rg.skip)(
    "a sub-path applies the ignore files above it, anchored ones at their own directory",
    async () => {
      const out = await call(tools(), "code.grep", { pattern: "TODO", path: "src/lib", hidden: true });
      // from-src.ts: src/.gitignore "/lib/from-src.ts"; local-only.ts: "/local-only.ts"; generated.ts; keep.log re-included.
      expect(where(out)).toEqual(["src/lib/keep.log:1:1", "src/lib/sub/local-only.ts:1:4"]);
    },
  );

  it.skipIf(engine === "ripgrep" && rg.skip)(
    "an explicit file or directory is searched even if ignored; an explicit binary gives nothing",
    async () => {
      const t = tools();
      expect(where(await call(t, "code.grep", { pattern: "TODO", path: "debug.log" }))).toEqual(["debug.log:1:1"]);
      expect(where(await call(t, "code.grep", { pattern: "TODO", path: "build" }))).toEqual(["build/out.ts:1:4"]);
      expect((await call(t, "code.grep", { pattern: "TODO", path: "data.bin" })).matches).toEqual([]);
      expect((await call(t, "code.grep", { pattern: "TODO", path: "late-nul.txt" })).matches).toEqual([]);
      // A symlink given as the path is resolved; paths are reported where the files really are.
      expect(where(await call(t, "code.grep", { pattern: "TODO", path: "inside-dir" }))).toEqual([
        "src/lib/keep.log:1:1",
        "src/lib/sub/local-only.ts:1:4",
      ]);
    },
  );

  it.skipIf(engine === "ripgrep" && rg.skip)(
    "context lines: before/after arrays, clipped at file edges, matches count as context",
    async () => {
      const out = await call(tools(), "code.grep", { pattern: "console|TODO: start", contextLines: 2, include: ["main.ts"] });
      expect(out.matches).toEqual([
        {
          path: "src/main.ts",
          line: 2,
          column: 6,
          text: "  // TODO: start",
          before: ["export function main(): void {"],
          after: ["  console.log('hello');", "}"],
        },
        {
          path: "src/main.ts",
          line: 3,
          column: 3,
          text: "  console.log('hello');",
          before: ["export function main(): void {", "  // TODO: start"],
          after: ["}", "export class Server {}"],
        },
      ]);
      const tail = await call(tools(), "code.grep", { pattern: "last", contextLines: 3, path: "no-newline.txt" });
      expect(tail.matches).toEqual([{ path: "no-newline.txt", line: 2, column: 1, text: "last TODO", before: ["first"], after: [] }]);
    },
  );

  it.skipIf(engine === "ripgrep" && rg.skip)(
    "maxResults cuts in path order with truncated; exactly maxResults matches is not truncated",
    async () => {
      const t = tools();
      const cut = await call(t, "code.grep", { pattern: "TODO", maxResults: 3 });
      expect(where(cut)).toEqual(DEFAULT_TODO.slice(0, 3));
      expect(cut.truncated).toBe(true);
      const exact = await call(t, "code.grep", { pattern: "TODO", maxResults: DEFAULT_TODO.length });
      expect(exact.truncated).toBe(false);
      expect(exact.count).toBe(DEFAULT_TODO.length);
    },
  );

  it.skipIf(engine === "ripgrep" && rg.skip)("bad patterns and globs are INVALID_ARGUMENT", async () => {
    const t = tools();
    expect(await failure(call(t, "code.grep", { pattern: "(unclosed" }))).toMatchObject({ code: "INVALID_ARGUMENT" });
    expect(await failure(call(t, "code.grep", { pattern: "a\nb" }))).toMatchObject({
      code: "INVALID_ARGUMENT",
      message: expect.stringMatching(/single line/),
    });
    expect(await failure(call(t, "code.grep", { pattern: "x", include: ["!*.ts"] }))).toMatchObject({
      code: "INVALID_ARGUMENT",
      message: expect.stringMatching(/exclude/),
    });
    expect(await failure(call(t, "code.grep", { pattern: "x", exclude: ["[abc"] }))).toMatchObject({ code: "INVALID_ARGUMENT" });
    expect(await failure(call(t, "code.grep", { pattern: "x", root: "nope" }))).toMatchObject({
      code: "NOT_FOUND",
      message: expect.stringMatching(/roots: root/),
    });
    expect(await failure(call(t, "code.grep", { pattern: "x", path: "missing" }))).toMatchObject({ code: "NOT_FOUND" });
  });
});

describe("code.grep engine selection", () => {
  it("auto picks ripgrep when it runs, builtin can be forced, ripgrep without rg is FAILED_PRECONDITION", async () => {
    const withRg = toolsFor(fx.rootDir);
    expect(withRg.engine).toBe(rg.available ? "ripgrep" : "builtin");
    expect((await call(withRg, "code.grep", { pattern: "TODO" })).engine).toBe(rg.available ? "ripgrep" : "builtin");
    const forced = await call(withRg, "code.grep", { pattern: "TODO", engine: "builtin" });
    expect(forced.engine).toBe("builtin");
    expect(forced.filesSearched).toBeGreaterThan(10);
    const none = toolsFor(fx.rootDir, null);
    expect(none.engine).toBe("builtin");
    expect(await failure(call(none, "code.grep", { pattern: "TODO", engine: "ripgrep" }))).toMatchObject({ code: "FAILED_PRECONDITION" });
  });

  it("a ripgrep path that does not run is a configuration error at creation", () => {
    expect(() => toolsFor(fx.rootDir, "/nonexistent/rg")).toThrow(/does not run/);
  });

  it.skipIf(rg.skip)(
    "Rust-regex syntax means the same in the built-in engine (\\w, \\b, \\d are Unicode; (?i); \\pL; [[:digit:]])",
    async () => {
      for (const pattern of ["caf\\w", "\\bnaïve\\b", "(?i)todo: START", "\\pL+é", "[[:digit:]]", "\\d+;", "(?P<w>TODO) page"]) {
        const [rg, builtin] = await Promise.all([
          call(toolsFor(fx.rootDir, "rg"), "code.grep", { pattern }),
          call(toolsFor(fx.rootDir, null), "code.grep", { pattern }),
        ]);
        expect(rg.matches.length, pattern).toBeGreaterThan(0);
        expect(builtin.matches, pattern).toEqual(rg.matches);
      }
    },
  );
});
