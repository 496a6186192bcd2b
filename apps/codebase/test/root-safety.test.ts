import { ToolError } from "@toolmesh/core";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SECRET, call, makeTree, toolsFor, type Fixture } from "./fixture.js";

let fx: Fixture;
beforeAll(async () => {
  fx = await makeTree();
});
afterAll(async () => fx?.cleanup());

const engines = [["ripgrep", "rg"], ["builtin", null]] as const;

describe.each(engines)("nothing outside the root is read (%s engine)", (_name, ripgrep) => {
  it.each([
    ["code.read", { path: "../outside/secret.txt" }, /outside root/],
    ["code.read", { path: "src/../../sibling.txt" }, /outside root/],
    ["code.read", { path: join("/", "etc", "passwd") }, /is absolute/],
    ["code.read", { path: "escape-file.txt" }, /symlink that leads outside/],
    ["code.read", { path: "escape-dir/secret.txt" }, /symlink that leads outside/],
    ["code.read", { path: "src/relative-escape.txt" }, /symlink that leads outside/],
    ["code.grep", { pattern: "SECRET", path: "escape-dir" }, /symlink that leads outside/],
    ["code.grep", { pattern: "SECRET", path: ".." }, /outside root/],
    ["code.glob", { patterns: ["*"], path: "../outside" }, /outside root/],
    ["code.analyze", { path: "escape-dir" }, /symlink that leads outside/],
  ] as const)("%s %j → PERMISSION_DENIED", async (tool, args, message) => {
    const error = await call(toolsFor(fx.rootDir, ripgrep), tool, args).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ToolError);
    expect(error).toMatchObject({ code: "PERMISSION_DENIED", message: expect.stringMatching(message) });
  });

  it("walks never follow symlinks out of the root: the secret appears in no output", async () => {
    const tools = toolsFor(fx.rootDir, ripgrep);
    const outputs = await Promise.all([
      call(tools, "code.grep", { pattern: "SECRET|TODO", hidden: true, gitignore: false }),
      call(tools, "code.glob", { patterns: ["**"], hidden: true, gitignore: false }),
      call(tools, "code.analyze", { hidden: true, gitignore: false }),
    ]);
    for (const output of outputs) {
      const text = JSON.stringify(output);
      expect(text).not.toContain(SECRET);
      expect(text).not.toContain("secret.txt");
    }
    const grep = outputs[0] as { matches: Array<{ path: string }> };
    expect(grep.matches.length).toBeGreaterThan(3);
  });
});

describe("size caps", () => {
  it("a 20 MB file is read up to maxBytes in whole lines, flagged truncated", async () => {
    const line = `${"x".repeat(99)}\n`;
    await writeFile(join(fx.rootDir, "huge.txt"), line.repeat(200_000));
    const out = await call(toolsFor(fx.rootDir), "code.read", { path: "huge.txt", maxBytes: 64 * 1024 });
    expect(out).toMatchObject({ truncated: true, totalLines: 200_000, startLine: 1, endLine: 655, size: 20_000_000 });
    expect(Buffer.byteLength(String(out.content))).toBeLessThanOrEqual(64 * 1024);
  });

  it("maxBytes above 16 MiB is refused by the schema", async () => {
    await expect(call(toolsFor(fx.rootDir), "code.read", { path: "huge.txt", maxBytes: 1 << 30 })).rejects.toMatchObject({ code: "INVALID_ARGUMENT" });
  });

  it("binary files and directories are refused by read", async () => {
    await expect(call(toolsFor(fx.rootDir), "code.read", { path: "data.bin" })).rejects.toMatchObject({ code: "INVALID_ARGUMENT", message: expect.stringMatching(/binary/) });
    await expect(call(toolsFor(fx.rootDir), "code.read", { path: "src" })).rejects.toMatchObject({ code: "INVALID_ARGUMENT", message: expect.stringMatching(/directory/) });
    await expect(call(toolsFor(fx.rootDir), "code.read", { path: "nope.ts" })).rejects.toMatchObject({ code: "NOT_FOUND" });
  });
});
