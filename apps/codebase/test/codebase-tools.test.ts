import { spawnSync } from "node:child_process";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { call, makeTree, toolsFor, type Fixture } from "./fixture.js";

let fx: Fixture;
beforeAll(async () => {
  fx = await makeTree();
});
afterAll(async () => fx?.cleanup());

type Files = { files: Array<{ path: string; size: number }>; truncated: boolean };
type Matches = { matches: Array<{ path: string; line: number; column: number; text: string; before?: string[]; after?: string[] }>; truncated: boolean; engine: string };

describe("code.glob", () => {
  it("matches names at any depth, respects .gitignore/.ignore (nested, with negation), skips hidden", async () => {
    const out = (await call(toolsFor(fx.rootDir), "code.glob", { patterns: ["*.ts", "*.log"] })) as Files;
    expect(out.files.map((f) => f.path)).toEqual(["src/lib/deep.ts", "src/lib/keep.log", "src/main.ts", "unicode.ts"]);
    expect(out.files[2]?.size).toBeGreaterThan(50);
  });

  it("hidden and gitignore switches, path-anchored patterns, exclude", async () => {
    const all = (await call(toolsFor(fx.rootDir), "code.glob", { patterns: ["**/*.ts"], hidden: true, gitignore: false, exclude: ["build/**"] })) as Files;
    expect(all.files.map((f) => f.path)).toEqual([".hidden/config.ts", "scratch/note.ts", "src/lib/deep.ts", "src/lib/generated.ts", "src/main.ts", "unicode.ts"]);
    const anchored = (await call(toolsFor(fx.rootDir), "code.glob", { patterns: ["src/*.ts"] })) as Files;
    expect(anchored.files.map((f) => f.path)).toEqual(["src/main.ts"]);
  });

  it("caps at maxResults with truncated", async () => {
    const out = (await call(toolsFor(fx.rootDir), "code.glob", { patterns: ["*"], maxResults: 2 })) as Files;
    expect(out.files).toHaveLength(2);
    expect(out.truncated).toBe(true);
  });
});

describe.each([["ripgrep", "rg"], ["builtin", null]] as const)("code.grep (%s)", (engine, ripgrep) => {
  it("finds lines with path, line, 1-based column and text; skips binary, ignored and hidden files", async () => {
    const out = (await call(toolsFor(fx.rootDir, ripgrep), "code.grep", { pattern: "TODO" })) as Matches;
    expect(out.engine).toBe(engine);
    expect(out.matches.map((m) => `${m.path}:${m.line}:${m.column}`)).toEqual([
      "README.md:2:1",
      "src/lib/keep.log:1:1",
      "src/main.ts:2:6",
      "src/util.js:3:29",
      "unicode.ts:1:26",
    ]);
    expect(out.matches[2]?.text).toBe("  // TODO: start");
  });

  it("ignoreCase, literal, include/exclude, context lines", async () => {
    const tools = toolsFor(fx.rootDir, ripgrep);
    const ci = (await call(tools, "code.grep", { pattern: "todo", ignoreCase: true, include: ["*.js"] })) as Matches;
    expect(ci.matches.map((m) => m.line)).toEqual([2, 3]);
    const literal = (await call(tools, "code.grep", { pattern: "a + b", literal: true })) as Matches;
    expect(literal.matches).toEqual([{ path: "src/util.js", line: 1, column: 30, text: "export const add = (a, b) => a + b;" }]);
    const ctx = (await call(tools, "code.grep", { pattern: "console", contextLines: 1, exclude: ["*.md"] })) as Matches;
    expect(ctx.matches).toEqual([{ path: "src/main.ts", line: 3, column: 3, text: "  console.log('hello');", before: ["  // TODO: start"], after: ["}"] }]);
  });

  it("maxResults cuts with truncated; a bad regex is INVALID_ARGUMENT", async () => {
    const tools = toolsFor(fx.rootDir, ripgrep);
    const cut = (await call(tools, "code.grep", { pattern: "TODO", maxResults: 2 })) as Matches;
    expect(cut.matches.map((m) => m.path)).toEqual(["README.md", "src/lib/keep.log"]);
    expect(cut.truncated).toBe(true);
    await expect(call(tools, "code.grep", { pattern: "(unclosed" })).rejects.toMatchObject({ code: "INVALID_ARGUMENT" });
  });

  it("an aborted call is CANCELLED and leaves no ripgrep process", async () => {
    const controller = new AbortController();
    const running = call(toolsFor(fx.rootDir, ripgrep), "code.grep", { pattern: "TODO", gitignore: false, hidden: true }, controller.signal);
    controller.abort();
    await expect(running).rejects.toMatchObject({ code: "CANCELLED" });
    const rg = spawnSync("pgrep", ["-f", `rg --json.*${fx.rootDir}`], { encoding: "utf8" });
    expect(rg.stdout.trim()).toBe("");
  });
});

describe("code.read", () => {
  it("returns a line range with totals", async () => {
    const out = await call(toolsFor(fx.rootDir), "code.read", { path: "src/main.ts", startLine: 2, endLine: 3 });
    expect(out).toMatchObject({ path: "src/main.ts", content: "  // TODO: start\n  console.log('hello');", startLine: 2, endLine: 3, totalLines: 6, truncated: false });
  });

  it("follows a symlink that stays inside the root", async () => {
    const out = await call(toolsFor(fx.rootDir), "code.read", { path: "inside-link.ts", endLine: 1 });
    expect(out.content).toBe("export function main(): void {");
  });
});

describe("code.analyze", () => {
  it("reports languages, lines and top-level symbols with export flags", async () => {
    const out = (await call(toolsFor(fx.rootDir), "code.analyze", { path: "src" })) as {
      files: Array<{ path: string; language: string; lines: number; symbols: Array<{ name: string; kind: string; line: number; exported: boolean }> }>;
      languages: Record<string, { files: number; lines: number }>;
    };
    const byPath = Object.fromEntries(out.files.map((f) => [f.path, f]));
    expect(byPath["src/main.ts"]?.symbols).toEqual([
      { name: "main", kind: "function", line: 1, exported: true },
      { name: "Server", kind: "class", line: 5, exported: true },
      { name: "internal", kind: "const", line: 6, exported: false },
    ]);
    expect(byPath["src/lib/deep.ts"]?.symbols.map((s) => `${s.kind} ${s.name} ${s.exported}`)).toEqual(["interface Shape false", "type Id true", "enum Color true"]);
    expect(byPath["src/app.py"]?.symbols.map((s) => s.name)).toEqual(["run", "Thing"]);
    expect(out.languages).toMatchObject({ TypeScript: { files: 2, lines: 9 }, JavaScript: { files: 1, lines: 3 }, Python: { files: 1, lines: 5 } });
  });
});
