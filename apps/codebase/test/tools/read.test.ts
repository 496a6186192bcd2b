import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FILES, call, failure, makeTree, toolsFor, type Fixture } from "./fixture.js";

let fx: Fixture;
beforeAll(async () => {
  fx = await makeTree();
  await writeFile(join(fx.rootDir, "accents.txt"), `${"é".repeat(100)}\nshort\n`);
});
afterAll(async () => fx?.cleanup());

const read = (args: Record<string, unknown>) => call(toolsFor(fx.rootDir), "code.read", args);

describe("code.read", () => {
  it("a whole file: exact content and totals", async () => {
    const text = FILES["src/main.ts"] as string;
    expect(await read({ path: "src/main.ts" })).toEqual({
      root: "root",
      path: "src/main.ts",
      content: text,
      startLine: 1,
      endLine: 7,
      totalLines: 7,
      size: Buffer.byteLength(text),
      truncated: false,
    });
  });

  it("line ranges are 1-based and inclusive; endLine past the end is clamped; ./ and .. inside the root normalize", async () => {
    expect(await read({ path: "src/main.ts", startLine: 2, endLine: 3 })).toMatchObject({
      content: "  // TODO: start\n  console.log('hello');\n",
      startLine: 2,
      endLine: 3,
      totalLines: 7,
    });
    expect(await read({ path: "./src/../src/main.ts", startLine: 7, endLine: 100 })).toMatchObject({
      path: "src/main.ts",
      content: "export interface Options { verbose: boolean }\n",
      startLine: 7,
      endLine: 7,
    });
    expect(await read({ path: "src/main.ts", endLine: 1 })).toMatchObject({
      content: "export function main(): void {\n",
      startLine: 1,
      endLine: 1,
    });
  });

  it("a startLine past the end, or endLine before startLine, is INVALID_ARGUMENT", async () => {
    expect(await failure(read({ path: "src/main.ts", startLine: 8 }))).toMatchObject({
      code: "INVALID_ARGUMENT",
      message: expect.stringMatching(/has 7 lines/),
    });
    expect(await failure(read({ path: "src/main.ts", startLine: 3, endLine: 2 }))).toMatchObject({ code: "INVALID_ARGUMENT" });
  });

  it("line endings are kept; a last line without newline; an empty file", async () => {
    expect(await read({ path: "crlf.txt" })).toMatchObject({ content: "TODO one\r\nline two TODO\r\nend$\r\n", totalLines: 3 });
    expect(await read({ path: "no-newline.txt" })).toMatchObject({ content: "first\nlast TODO", totalLines: 2, endLine: 2 });
    expect(await read({ path: "empty.txt" })).toMatchObject({
      content: "",
      startLine: 1,
      endLine: 0,
      totalLines: 0,
      size: 0,
      truncated: false,
    });
  });

  it("decodes like grep: a UTF-8 BOM is dropped, UTF-16 with a BOM is text", async () => {
    expect((await read({ path: "bom.txt" })).content).toBe("xx TODO bom\n");
    expect(await read({ path: "utf16.txt" })).toMatchObject({ content: "wide é TODO\nsecond\n", totalLines: 2 });
  });

  it("maxBytes keeps whole lines; a first line longer than the cap comes back cut between characters", async () => {
    const cut = await read({ path: "src/main.ts", maxBytes: 50 });
    expect(cut).toMatchObject({ content: "export function main(): void {\n  // TODO: start\n", endLine: 2, truncated: true });
    expect(await read({ path: "long.txt", maxBytes: 100 })).toMatchObject({
      content: "x".repeat(100),
      endLine: 1,
      truncated: true,
      partialLine: true,
    });
    const accents = await read({ path: "accents.txt", maxBytes: 11 });
    expect(accents).toMatchObject({ content: "é".repeat(5), truncated: true, partialLine: true, totalLines: 2 });
  });

  it("refuses directories, binary files and missing files with codes that say what to do", async () => {
    expect(await failure(read({ path: "src" }))).toMatchObject({
      code: "INVALID_ARGUMENT",
      message: expect.stringMatching(/directory.*code\.glob/),
    });
    expect(await failure(read({ path: "." }))).toMatchObject({ code: "INVALID_ARGUMENT" });
    expect(await failure(read({ path: "data.bin" }))).toMatchObject({ code: "INVALID_ARGUMENT", message: expect.stringMatching(/binary/) });
    expect(await failure(read({ path: "late-nul.txt" }))).toMatchObject({
      code: "INVALID_ARGUMENT",
      message: expect.stringMatching(/binary/),
    });
    expect(await failure(read({ path: "nope.ts" }))).toMatchObject({ code: "NOT_FOUND", message: expect.stringMatching(/nope\.ts.*root/) });
  });

  it("an ignored or hidden file can still be read by name", async () => {
    expect((await read({ path: "debug.log" })).content).toBe("TODO in a log\n");
    expect((await read({ path: ".hidden/config.ts" })).content).toBe("// TODO hidden\n");
  });
});

describe("several roots", () => {
  let second: string;
  beforeAll(async () => {
    second = await mkdtemp(join(tmpdir(), "toolmesh-second-"));
    await mkdir(join(second, "docs"));
    await writeFile(join(second, "docs", "guide.md"), "# Guide\n");
  });
  afterAll(async () => rm(second, { recursive: true, force: true }));

  it("args.root picks a root by name; the first is the default; outputs name it", async () => {
    const tools = toolsFor([`main=${fx.rootDir}`, `docs=${second}`]);
    expect(await call(tools, "code.read", { root: "docs", path: "docs/guide.md" })).toMatchObject({ root: "docs", content: "# Guide\n" });
    expect(await call(tools, "code.read", { path: "README.md" })).toMatchObject({ root: "main" });
    expect(await failure(call(tools, "code.read", { path: "docs/guide.md" }))).toMatchObject({ code: "NOT_FOUND" });
    expect(await failure(call(tools, "code.read", { root: "other", path: "README.md" }))).toMatchObject({
      code: "NOT_FOUND",
      message: expect.stringMatching(/main, docs/),
    });
    // Another root is outside this one: a relative path cannot reach it.
    const rel = relative(fx.rootDir, join(second, "docs", "guide.md"));
    expect(rel.startsWith("../")).toBe(true);
    expect(await failure(call(tools, "code.read", { path: rel }))).toMatchObject({ code: "PERMISSION_DENIED" });
  });
});
