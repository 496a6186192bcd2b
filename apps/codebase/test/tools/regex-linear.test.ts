import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { call, failure, rg, toolsFor } from "./fixture.js";

// Issue 10: the built-in engine runs client patterns in RE2 (linear time).
let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "tm-regex-"));
  await writeFile(join(dir, "evil.txt"), `${"a".repeat(5000)}!\n${"a".repeat(30)}\n`);
  await writeFile(
    join(dir, "unicode.txt"),
    [
      "😀😀 KELVIN \u212A then x",
      "tab\there\u00A0nbsp",
      "straße STRASSE Straße",
      "𝒜lpha then ok: naïve café",
      "id_9 ٣ digits",
      "a\tb  ",
      "",
    ].join("\n"),
  );
});
afterAll(async () => rm(dir, { recursive: true, force: true }));

describe("code.grep's built-in engine", () => {
  // Not timing checks: a backtracking engine would never finish on a 5,000-character near-match
  // (30 characters already took ~90 s), so the bounds only guard against a hang.
  it("^(a+)+$ over a long run of 'a' and '!' finishes, and does not hold up another call", async () => {
    const tools = toolsFor(dir, null);
    await call(tools, "code.grep", { pattern: "x", path: "evil.txt" }); // warm: module loading is not the pattern's cost
    const started = performance.now();
    const out = await call(tools, "code.grep", { pattern: "^(a+)+$", path: "evil.txt" });
    const ms = performance.now() - started;
    expect(out.engine).toBe("builtin");
    expect(out.matches).toEqual([{ path: "evil.txt", line: 2, column: 1, text: "a".repeat(30) }]);
    expect(ms).toBeLessThan(10_000);
    // Another caller's request during it is not held behind it.
    const evil = call(tools, "code.grep", { pattern: "^(a+)+$", path: "evil.txt" });
    const readStarted = performance.now();
    await call(tools, "code.read", { path: "unicode.txt", endLine: 1 });
    expect(performance.now() - readStarted).toBeLessThan(10_000);
    expect((await evil).matches).toHaveLength(1);
  });

  it("lookaround and backreferences are INVALID_ARGUMENT naming the field and why", async () => {
    const tools = toolsFor(dir, null);
    expect(await failure(call(tools, "code.grep", { pattern: "a(?=b)" }))).toMatchObject({
      code: "INVALID_ARGUMENT",
      message: "pattern: lookahead is not supported (RE2 syntax)",
    });
    expect(await failure(call(tools, "code.grep", { pattern: "(?<!a)b" }))).toMatchObject({
      code: "INVALID_ARGUMENT",
      message: "pattern: negative lookbehind is not supported (RE2 syntax)",
    });
    expect(await failure(call(tools, "code.grep", { pattern: "(a)\\1" }))).toMatchObject({
      code: "INVALID_ARGUMENT",
      message: "pattern: backreferences are not supported (RE2 syntax)",
    });
    // As a literal the same text is fine.
    expect((await call(tools, "code.grep", { pattern: "a(?=b)", literal: true })).matches).toEqual([]);
  });

  it.skipIf(rg.skip)("matches ripgrep on case folding, Unicode classes, and code-point columns", async () => {
    const cases: Array<Record<string, unknown>> = [
      { pattern: "kelvin k", ignoreCase: true },
      { pattern: "x$" },
      { pattern: "straße", ignoreCase: true },
      { pattern: "STRASSE" },
      { pattern: "ok:" },
      { pattern: "\\s+$" },
      { pattern: "h\\S+\\snbsp$" },
      { pattern: "here\\snbsp" },
      { pattern: "\\w+ then" },
      { pattern: "\\d digits" },
      { pattern: "[\\w]+é" },
      { pattern: "^\\W+ KELVIN" },
      { pattern: "(?i)^ID_\\d" },
      { pattern: "😀", literal: true },
      { pattern: "[[:space:]]{2}$" },
    ];
    for (const args of cases) {
      const [viaRg, builtin] = await Promise.all([
        call(toolsFor(dir, "rg"), "code.grep", args),
        call(toolsFor(dir, null), "code.grep", args),
      ]);
      expect(viaRg.matches.length, JSON.stringify(args)).toBeGreaterThan(0);
      expect(builtin.matches, JSON.stringify(args)).toEqual(viaRg.matches);
    }
  });
});
