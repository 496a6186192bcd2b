import { ToolError } from "@toolmesh/core";
import { spawnSync } from "node:child_process";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ENGINES, rg, SECRET, call, failure, makeTree, toolsFor, type Fixture, type ToolName } from "./fixture.js";

let fx: Fixture;
beforeAll(async () => {
  fx = await makeTree();
});
afterAll(async () => fx?.cleanup());

const ESCAPES: Array<[ToolName, Record<string, unknown>, RegExp]> = [
  ["code.read", { path: "../outside/secret.txt" }, /outside root/],
  ["code.read", { path: "src/../../sibling.txt" }, /outside root/],
  ["code.read", { path: "/etc/passwd" }, /is absolute/],
  ["code.read", { path: "escape-file.txt" }, /symlink that leads outside/],
  ["code.read", { path: "escape-dir/secret.txt" }, /symlink that leads outside/],
  ["code.read", { path: "src/relative-escape.txt" }, /symlink that leads outside/],
  ["code.read", { path: "loop/escape-file.txt" }, /symlink that leads outside/],
  ["code.grep", { pattern: "SECRET", path: "escape-dir" }, /symlink that leads outside/],
  ["code.grep", { pattern: "SECRET", path: "src/relative-escape.txt" }, /symlink that leads outside/],
  ["code.grep", { pattern: "SECRET", path: ".." }, /outside root/],
  ["code.grep", { pattern: "SECRET", path: "/tmp" }, /is absolute/],
  ["code.glob", { patterns: ["*"], path: "../outside" }, /outside root/],
  ["code.glob", { patterns: ["*"], path: "escape-dir" }, /symlink that leads outside/],
  ["code.analyze", { path: "escape-dir" }, /symlink that leads outside/],
  ["code.analyze", { path: "escape-file.txt" }, /symlink that leads outside/],
  ["code.analyze", { path: "src/../.." }, /outside root/],
];

describe.each(ENGINES)("nothing outside the root is read (grep engine %s)", (engine, ripgrep) => {
  it.skipIf(engine === "ripgrep" && rg.skip).each(ESCAPES)("%s %j → PERMISSION_DENIED", async (tool, args, message) => {
    const error = await failure(call(toolsFor(fx.rootDir, ripgrep), tool, args));
    expect(error).toBeInstanceOf(ToolError);
    expect(error).toMatchObject({ code: "PERMISSION_DENIED", message: expect.stringMatching(message) });
    expect(error.message).not.toContain(SECRET);
  });

  it.skipIf(engine === "ripgrep" && rg.skip)(
    "walks never follow symlinks (out of the root or in a loop): the secret appears in no output",
    async () => {
      const tools = toolsFor(fx.rootDir, ripgrep);
      const all = { hidden: true, gitignore: false };
      const outputs = await Promise.all([
        call(tools, "code.grep", { pattern: "SECRET|TODO|leaked", ...all, maxResults: 100_000 }),
        call(tools, "code.grep", { pattern: SECRET, literal: true, ...all }),
        call(tools, "code.glob", { patterns: ["**"], ...all }),
        call(tools, "code.glob", { patterns: ["secret*", "escape*", "loop"], ...all }),
        call(tools, "code.analyze", all),
      ]);
      for (const output of outputs) {
        const text = JSON.stringify(output);
        expect(text).not.toContain(SECRET);
        expect(text).not.toContain("secret.txt");
        expect(text).not.toContain("leaked");
        expect(text).not.toMatch(/"(escape-dir|escape-file\.txt|loop|inside-link\.ts|inside-dir)\//);
      }
      expect(outputs[0].matches.length).toBeGreaterThan(20);
      expect(outputs[1].matches).toEqual([]);
      expect(outputs[2].files.length).toBeGreaterThan(30);
      expect(outputs[3].files).toEqual([]);
    },
  );

  it.skipIf(engine === "ripgrep" && rg.skip)("a symlink that stays inside the root may be named as the path", async () => {
    const tools = toolsFor(fx.rootDir, ripgrep);
    const read = await call(tools, "code.read", { path: "inside-link.ts", endLine: 1 });
    expect(read).toMatchObject({ path: "inside-link.ts", target: "src/main.ts", content: "export function main(): void {\n" });
    const viaLoop = await call(tools, "code.read", { path: "loop/loop/src/main.ts", endLine: 1 });
    expect(viaLoop).toMatchObject({ path: "loop/loop/src/main.ts", target: "src/main.ts" });
    const grep = await call(tools, "code.grep", { pattern: "Red", path: "inside-dir" });
    expect(grep.matches.map((m: { path: string }) => m.path)).toEqual(["src/lib/deep.ts"]);
  });
});

describe.each(ENGINES)("special files (grep engine %s)", (engine, ripgrep) => {
  it.skipIf(engine === "ripgrep" && rg.skip)("a FIFO is never opened by a walk and refused by read (nothing blocks)", async () => {
    const fifo = join(fx.rootDir, `pipe-${engine}`);
    expect(spawnSync("mkfifo", [fifo]).status).toBe(0);
    const tools = toolsFor(fx.rootDir, ripgrep);
    const grep = await call(tools, "code.grep", { pattern: "TODO", hidden: true, gitignore: false });
    expect(grep.matches.some((m: { path: string }) => m.path.startsWith("pipe-"))).toBe(false);
    const glob = await call(tools, "code.glob", { patterns: ["pipe-*"] });
    expect(glob.files).toEqual([]);
    expect(await failure(call(tools, "code.read", { path: `pipe-${engine}` }))).toMatchObject({
      code: "INVALID_ARGUMENT",
      message: expect.stringMatching(/not a regular file/),
    });
    expect(await failure(call(tools, "code.grep", { pattern: "x", path: `pipe-${engine}` }))).toMatchObject({ code: "INVALID_ARGUMENT" });
  });
});

describe("size caps", () => {
  const line = `${"x".repeat(99)}\n`;
  beforeAll(async () => {
    await writeFile(join(fx.rootDir, "huge.txt"), line.repeat(200_000));
  });

  it("a 20 MB file is read up to maxBytes in whole lines, flagged truncated, with the true totals", async () => {
    const out = await call(toolsFor(fx.rootDir), "code.read", { path: "huge.txt", maxBytes: 64 * 1024 });
    expect(out).toMatchObject({ truncated: true, totalLines: 200_000, startLine: 1, endLine: 655, size: 20_000_000 });
    expect(Buffer.byteLength(out.content)).toBeLessThanOrEqual(64 * 1024);
    expect(out.content).toBe(line.repeat(655));
    // The default maxBytes (1 MiB) and a range deep in the file.
    const deep = await call(toolsFor(fx.rootDir), "code.read", { path: "huge.txt", startLine: 150_000, endLine: 150_002 });
    expect(deep).toMatchObject({ truncated: false, startLine: 150_000, endLine: 150_002, content: line.repeat(3) });
  });

  it("the service-wide maxReadBytes caps whatever the call asks for", async () => {
    const out = await call(toolsFor(fx.rootDir, undefined, 1000), "code.read", { path: "huge.txt", maxBytes: 16 * 1024 * 1024 });
    expect(out).toMatchObject({ truncated: true, endLine: 10 });
    expect(Buffer.byteLength(out.content)).toBe(1000);
  });

  it("maxBytes above 16 MiB is refused by the schema", async () => {
    expect(await failure(call(toolsFor(fx.rootDir), "code.read", { path: "huge.txt", maxBytes: 1 << 30 }))).toMatchObject({
      code: "INVALID_ARGUMENT",
    });
  });
});
