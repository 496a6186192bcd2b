import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { rg, call, makeTree, toolsFor, type Fixture } from "./fixture.js";

// The same real trees through ripgrep and the built-in engine: every match
// (path, line, column, text, before, after) and the truncated flag must be
// identical. Both calls run at once, so the trees are read at the same time.
const repoRoot = fileURLToPath(new URL("../../../../", import.meta.url));
let fx: Fixture;
beforeAll(async () => {
  fx = await makeTree();
});
afterAll(async () => fx?.cleanup());

const PATTERNS: Array<Record<string, unknown>> = [
  { pattern: "TODO" },
  { pattern: "export" },
  { pattern: "ToolError", literal: true },
  { pattern: "(", literal: true, ignoreCase: true },
  { pattern: "todo|fixme", ignoreCase: true },
  { pattern: '^import .* from "@toolmesh/[a-z]+";$', include: ["*.ts"] },
  { pattern: "async function \\w+\\(", contextLines: 2, exclude: ["**/test/**"] },
  { pattern: "\\bError\\b", ignoreCase: true, include: ["src/**"] },
  { pattern: "TODO|export", include: ["*.{ts,tsx}"], hidden: true },
  { pattern: "const", maxResults: 7 },
  { pattern: "const", maxResults: 7, contextLines: 3 },
  { pattern: "ä|é|ï|😀|ß" },
  { pattern: "\\s+$" },
  { pattern: "[A-Z]{3,}_[A-Z]+" },
];

async function bothEngines(rootDir: string, args: Record<string, unknown>) {
  const [rg, builtin] = await Promise.all([
    call(toolsFor(rootDir, "rg"), "code.grep", args),
    call(toolsFor(rootDir, null), "code.grep", args),
  ]);
  expect(rg.engine).toBe("ripgrep");
  expect(builtin.engine).toBe("builtin");
  expect(builtin.matches).toEqual(rg.matches);
  expect(builtin.truncated).toBe(rg.truncated);
  return rg.matches.length as number;
}

describe.skipIf(rg.skip)("ripgrep and the built-in engine agree", () => {
  const variants: Array<Record<string, unknown>> = [
    {},
    { hidden: true },
    { gitignore: false },
    { hidden: true, gitignore: false },
    { path: "src/lib" },
    { path: "src", hidden: true },
    { path: "app/(group)" },
    { path: "src/main.ts", contextLines: 1 },
  ];
  it.each(PATTERNS)("on a synthetic tree (ignore files, hidden, binaries, encodings, symlinks): %j", async (args) => {
    for (const variant of variants) await bothEngines(fx.rootDir, { ...args, ...variant });
  });

  it.each(PATTERNS)("on this repository's libs/, searched from the repository root: %j", async (args) => {
    // path "libs" under the repository root: the root .gitignore (dist/, *.tsbuildinfo) applies from above.
    await bothEngines(repoRoot, { ...args, path: "libs" });
    await bothEngines(`${repoRoot}libs`, args);
  });

  it("the comparisons are not vacuous", async () => {
    expect(existsSync(`${repoRoot}libs/core/src/errors.ts`)).toBe(true);
    expect(await bothEngines(repoRoot, { pattern: "export", path: "libs", maxResults: 100_000 })).toBeGreaterThan(100);
    expect(await bothEngines(fx.rootDir, { pattern: "TODO", hidden: true, gitignore: false })).toBeGreaterThan(25);
    // The root .gitignore was applied to the sub-path: no built output in the results.
    const out = await call(toolsFor(repoRoot, "rg"), "code.grep", { pattern: "export", path: "libs", maxResults: 100_000 });
    expect(out.matches.some((m: { path: string }) => m.path.includes("/dist/"))).toBe(false);
    const unignored = await call(toolsFor(repoRoot, "rg"), "code.grep", {
      pattern: "export",
      path: "libs/core",
      gitignore: false,
      maxResults: 100_000,
    });
    expect(unignored.matches.some((m: { path: string }) => m.path.includes("/dist/"))).toBe(existsSync(`${repoRoot}libs/core/dist`));
  });
});
