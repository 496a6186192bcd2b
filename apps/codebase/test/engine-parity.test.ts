import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { call, makeTree, toolsFor, type Fixture } from "./fixture.js";

// The same real trees through ripgrep and the built-in engine: the matches
// (path, line, column, text, context) must be identical.
const repoLibs = fileURLToPath(new URL("../../../libs", import.meta.url));
let fx: Fixture;
beforeAll(async () => {
  fx = await makeTree();
});
afterAll(async () => fx?.cleanup());

const cases: Array<Record<string, unknown>> = [
  { pattern: "export" },
  { pattern: "ToolError", literal: true },
  { pattern: "todo|fixme", ignoreCase: true },
  { pattern: "^import .* from \"@toolmesh/[a-z]+\";$", include: ["*.ts"] },
  { pattern: "async function \\w+\\(", contextLines: 2, exclude: ["**/test/**"] },
  { pattern: "const", maxResults: 7 },
  { pattern: "ä|é|ï" },
];

describe("ripgrep and the built-in engine agree", () => {
  it.each(cases)("on this repository's libs/: %j", async (args) => {
    const [rg, builtin] = await Promise.all([
      call(toolsFor(repoLibs, "rg"), "code.grep", args),
      call(toolsFor(repoLibs, null), "code.grep", args),
    ]);
    expect(rg.engine).toBe("ripgrep");
    expect(builtin.engine).toBe("builtin");
    expect(builtin.matches).toEqual(rg.matches);
    expect(builtin.truncated).toBe(rg.truncated);
  });

  it.each(cases)("on a tree with ignore files, hidden files, binaries and symlinks: %j", async (args) => {
    for (const extra of [{}, { hidden: true, gitignore: false }]) {
      const [rg, builtin] = await Promise.all([
        call(toolsFor(fx.rootDir, "rg"), "code.grep", { ...args, ...extra }),
        call(toolsFor(fx.rootDir, null), "code.grep", { ...args, ...extra }),
      ]);
      expect(builtin.matches).toEqual(rg.matches);
    }
  });

  it("the libs/ comparison is not vacuous", async () => {
    const out = (await call(toolsFor(repoLibs, "rg"), "code.grep", { pattern: "export" })) as { matches: unknown[] };
    expect(out.matches.length).toBeGreaterThan(50);
  });
});
