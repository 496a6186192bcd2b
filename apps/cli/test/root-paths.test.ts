import { mkdirSync, symlinkSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { RootPathError, rootOf, targetPath } from "../src/root-paths.js";
import { tempDir } from "./support/cli.js";

const roots = [
  { name: "main", dir: "/srv/main" },
  { name: "vendor", dir: "/srv/main/vendor" },
  { name: "other", dir: "/opt/other" },
];

describe("rootOf", () => {
  it("maps an absolute path to the deepest root that holds it", () => {
    expect(rootOf("/srv/main/apps/cli", roots)).toEqual({ root: "main", path: "apps/cli" });
    expect(rootOf("/srv/main/vendor/lib/x.ts", roots)).toEqual({ root: "vendor", path: "lib/x.ts" });
    expect(rootOf("/srv/main/vendor", roots)).toEqual({ root: "vendor", path: "." });
    expect(rootOf("/opt/other", roots)).toEqual({ root: "other", path: "." });
  });

  it("does not take a sibling with a common prefix for a child", () => {
    expect(rootOf("/srv/main-old/x", roots)).toBeUndefined();
    expect(rootOf("/srv", roots)).toBeUndefined();
  });

  it("follows symlinks when the plain paths do not match", () => {
    const dir = tempDir();
    mkdirSync(join(dir, "real", "src"), { recursive: true });
    symlinkSync(join(dir, "real"), join(dir, "link"));
    expect(rootOf(join(dir, "link", "src"), [{ name: "r", dir: join(dir, "real") }])).toEqual({ root: "r", path: "src" });
  });
});

describe("a template's PATH", () => {
  const cwd = "/srv/main/apps";

  it("keeps a relative PATH inside the current directory as it is (relative to the first root, or --root)", () => {
    expect(targetPath({ path: "cli/src", root: undefined, cwd, roots })).toEqual({ path: "cli/src" });
    expect(targetPath({ path: ".", root: undefined, cwd, roots: undefined })).toEqual({ path: "." });
    expect(targetPath({ path: "src", root: "other", cwd, roots })).toEqual({ root: "other", path: "src" });
    expect(targetPath({ path: undefined, root: undefined, cwd, roots })).toEqual({});
    expect(targetPath({ path: undefined, root: "vendor", cwd, roots })).toEqual({ root: "vendor" });
  });

  it("maps an absolute PATH, or one leaving the current directory, through the stack's roots", () => {
    expect(targetPath({ path: "/opt/other/lib", root: undefined, cwd, roots })).toEqual({ root: "other", path: "lib" });
    expect(targetPath({ path: "../vendor/x", root: undefined, cwd, roots })).toEqual({ root: "vendor", path: "x" });
    expect(targetPath({ path: "..", root: undefined, cwd, roots })).toEqual({ root: "main", path: "." });
    expect(targetPath({ path: "/srv/main/vendor/y", root: "main", cwd, roots })).toEqual({ root: "main", path: "vendor/y" });
  });

  it("refuses, in one line naming the roots and how to add one, a PATH inside none of them", () => {
    const attempt = (): unknown => targetPath({ path: "/etc", root: undefined, cwd, roots });
    expect(attempt).toThrow(RootPathError);
    expect(attempt).toThrow(
      "/etc is inside none of the stack's roots: main (/srv/main), vendor (/srv/main/vendor), other (/opt/other); add one with `npx toolmesh up --root NAME=DIR`",
    );
    expect(() => targetPath({ path: "/etc", root: undefined, cwd, roots })).not.toThrow(/\n/);
  });

  it("refuses a root the stack does not have, and an absolute PATH outside the --root given", () => {
    expect(() => targetPath({ path: "x", root: "nope", cwd, roots })).toThrow(
      'the stack has no root named "nope"; its roots: main (/srv/main), vendor (/srv/main/vendor), other (/opt/other)',
    );
    expect(() => targetPath({ path: "/opt/other/x", root: "vendor", cwd, roots })).toThrow(
      "/opt/other/x is not inside root vendor (/srv/main/vendor)",
    );
  });

  it("cannot map an absolute PATH without the stack's roots, and says why", () => {
    expect(() =>
      targetPath({ path: "/srv/main/x", root: undefined, cwd, roots: undefined, noRootsReason: "no toolmesh stack is running" }),
    ).toThrow(
      "cannot map /srv/main/x to a root of the stack: no toolmesh stack is running; give a path relative to the first root, or --root NAME with a path inside it",
    );
  });
});
