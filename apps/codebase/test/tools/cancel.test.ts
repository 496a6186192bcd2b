import { ErrorCode, ToolError } from "@toolmesh/core";
import { spawnSync } from "node:child_process";
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ENGINES, rg, call, failure, makeTree, toolsFor, type Fixture, type ToolName } from "./fixture.js";

// A token only this run's ripgrep command line holds, to find the child with pgrep.
const TOKEN = `cancel${process.pid}x${Date.now()}`;
let fx: Fixture;
beforeAll(async () => {
  fx = await makeTree();
  // ~40 MB where every line matches: ripgrep has seconds of JSON to write, so it is surely running when aborted.
  const chunk = `${TOKEN} some matching line of text\n`.repeat(50_000);
  await mkdir(join(fx.rootDir, "big"));
  for (let i = 0; i < 25; i++) await writeFile(join(fx.rootDir, "big", `f${String(i).padStart(2, "0")}.txt`), chunk);
});
afterAll(async () => fx?.cleanup());

const rgProcesses = (): string => spawnSync("pgrep", ["-f", TOKEN], { encoding: "utf8" }).stdout.trim();
const aborted = (reason?: unknown): AbortSignal => {
  const controller = new AbortController();
  controller.abort(reason);
  return controller.signal;
};

const CALLS: Array<[ToolName, Record<string, unknown>]> = [
  ["code.glob", { patterns: ["*"] }],
  ["code.grep", { pattern: "TODO" }],
  ["code.read", { path: "README.md" }],
  ["code.analyze", {}],
];

describe.each(ENGINES)("cancellation (grep engine %s)", (engine, ripgrep) => {
  it.skipIf(engine === "ripgrep" && rg.skip).each(CALLS)("%s with an aborted signal is CANCELLED", async (tool, args) => {
    expect(await failure(call(toolsFor(fx.rootDir, ripgrep), tool, args, aborted()))).toMatchObject({ code: "CANCELLED" });
  });

  it.skipIf(engine === "ripgrep" && rg.skip)("an abort reason that is a ToolError (a deadline) keeps its code", async () => {
    const reason = new ToolError(ErrorCode.DEADLINE_EXCEEDED, "task deadline passed");
    expect(await failure(call(toolsFor(fx.rootDir, ripgrep), "code.grep", { pattern: "TODO" }, aborted(reason)))).toBe(reason);
  });

  it.skipIf(engine === "ripgrep" && rg.skip)("an abort in the middle of a search stops it promptly with CANCELLED", async () => {
    const controller = new AbortController();
    const running = call(
      toolsFor(fx.rootDir, ripgrep),
      "code.grep",
      { pattern: TOKEN, maxResults: 100_000, path: "big" },
      controller.signal,
    );
    // Some way into the search (when exactly does not matter: it must end CANCELLED either way).
    let abortedAt = 0;
    setTimeout(() => {
      abortedAt = Date.now();
      controller.abort();
    }, 30);
    expect(await failure(running)).toMatchObject({ code: "CANCELLED" });
    expect(Date.now() - abortedAt).toBeLessThan(10_000);
  });
});

describe.skipIf(rg.skip)("the ripgrep child", () => {
  it("is running during a search and gone once an aborted call has rejected", async () => {
    const controller = new AbortController();
    const running = call(toolsFor(fx.rootDir, "rg"), "code.grep", { pattern: TOKEN, maxResults: 100_000, path: "big" }, controller.signal);
    await expect.poll(rgProcesses, { timeout: 20_000, interval: 10 }).toMatch(/^\d+/);
    controller.abort();
    expect(await failure(running)).toMatchObject({ code: "CANCELLED" });
    expect(rgProcesses()).toBe("");
  });

  it("is killed once maxResults is passed, long before it would finish", async () => {
    const started = Date.now();
    const out = await call(toolsFor(fx.rootDir, "rg"), "code.grep", { pattern: TOKEN, maxResults: 10, path: "big" });
    expect(out).toMatchObject({ engine: "ripgrep", count: 10, truncated: true });
    expect(out.matches[9]).toMatchObject({ path: "big/f00.txt", line: 10, column: 1 });
    expect(rgProcesses()).toBe("");
    expect(Date.now() - started).toBeLessThan(10_000);
  });
});

describe("reading a huge file", () => {
  it("an abort while code.read streams is CANCELLED", async () => {
    await writeFile(join(fx.rootDir, "huge-read.txt"), `${"y".repeat(99)}\n`.repeat(300_000));
    const controller = new AbortController();
    const running = call(toolsFor(fx.rootDir), "code.read", { path: "huge-read.txt", maxBytes: 1000 }, controller.signal);
    setImmediate(() => controller.abort());
    expect(await failure(running)).toMatchObject({ code: "CANCELLED" });
  });
});
