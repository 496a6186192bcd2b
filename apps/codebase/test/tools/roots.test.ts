import { mkdir, mkdtemp, realpath, rm, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createCodebaseTools, parseRoots } from "@toolmesh/codebase";
import { call } from "./fixture.js";

let base: string;
beforeAll(async () => {
  base = await realpath(await mkdtemp(join(tmpdir(), "toolmesh-roots-")));
  await mkdir(join(base, "proj"));
  await mkdir(join(base, "a=b"));
  await writeFile(join(base, "proj", "x.ts"), "export const x = 1;\n");
  await writeFile(join(base, "file.txt"), "not a dir\n");
  await symlink(join(base, "proj"), join(base, "proj-link"));
});
afterAll(async () => rm(base, { recursive: true, force: true }));

describe("parseRoots", () => {
  it('"DIR" is named after its basename, "NAME=DIR" names it; dirs are realpath\'d', () => {
    expect(parseRoots([join(base, "proj")])).toEqual([{ name: "proj", dir: join(base, "proj") }]);
    // A "=" after a "/" belongs to the directory; a name taken from it is made valid.
    expect(parseRoots([`src=${join(base, "proj-link")}`, ` ${join(base, "a=b")} `, `ab=${join(base, "a=b")}`])).toEqual([
      { name: "src", dir: join(base, "proj") },
      { name: "a-b", dir: join(base, "a=b") },
      { name: "ab", dir: join(base, "a=b") },
    ]);
    expect(parseRoots(["/"])).toEqual([{ name: "root", dir: "/" }]);
  });

  it("refuses missing dirs, files, duplicate names, bad names and an empty list, saying what to fix", () => {
    expect(() => parseRoots([join(base, "missing")])).toThrow(/does not exist/);
    expect(() => parseRoots([join(base, "file.txt")])).toThrow(/is not a directory/);
    expect(() => parseRoots([join(base, "proj"), join(base, "proj-link")])).toThrow(/two roots are named "proj".*NAME=DIR/);
    expect(() => parseRoots([`bad name=${join(base, "proj")}`])).toThrow(/must be letters/);
    expect(() => parseRoots([])).toThrow(/at least one root/);
    expect(() => parseRoots([" "])).toThrow(/at least one root/);
  });
});

describe("createCodebaseTools", () => {
  it("realpaths roots given directly, so containment checks compare real paths", async () => {
    const tools = createCodebaseTools({ roots: [{ name: "p", dir: join(base, "proj-link") }], ripgrep: null });
    expect(await call(tools, "code.read", { path: "x.ts" })).toMatchObject({ root: "p", content: "export const x = 1;\n" });
    expect(await call(tools, "code.glob", { patterns: ["*.ts"] })).toMatchObject({ files: [{ path: "x.ts", size: 20 }] });
  });

  it("refuses no roots, a missing root dir and a bad maxReadBytes", () => {
    expect(() => createCodebaseTools({ roots: [] })).toThrow(/at least one root/);
    expect(() => createCodebaseTools({ roots: [{ name: "m", dir: join(base, "missing") }] })).toThrow(/does not exist/);
    expect(() => createCodebaseTools({ roots: parseRoots([base]), maxReadBytes: 0 })).toThrow(/maxReadBytes/);
    expect(basename(base)).toMatch(/^toolmesh-roots-/);
  });
});
