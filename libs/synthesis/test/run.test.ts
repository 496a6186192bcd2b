import { ErrorCode, ToolError } from "@toolmesh/core";
import { runSynthTool, type SynthInput } from "@toolmesh/synthesis";
import { parseToolArgs } from "@toolmesh/tools";
import { describe, expect, it } from "vitest";
import { errorsPage, input, searchOutput } from "./fixtures.js";

const grep = (source: string, path: string) =>
  input(source, "code.grep", {
    root: "repo",
    engine: "builtin",
    matches: [{ path, line: 1, column: 1, text: "TODO" }],
    count: 1,
    truncated: false,
  });

describe("runSynthTool", () => {
  it("an unknown tool is NOT_FOUND, also for catalog tools that are not synth tools", () => {
    for (const tool of ["synth.nope", "code.grep"]) {
      let caught: unknown;
      try {
        runSynthTool(tool, {}, []);
      } catch (err) {
        caught = err;
      }
      expect(caught).toBeInstanceOf(ToolError);
      expect((caught as ToolError).code).toBe(ErrorCode.NOT_FOUND);
    }
  });

  it("re-parses arguments: defaults applied, bad ones INVALID_ARGUMENT", () => {
    expect(() => runSynthTool("synth.dedupe", { similarity: 2 }, [])).toThrow(
      expect.objectContaining({ code: ErrorCode.INVALID_ARGUMENT }),
    );
    expect(runSynthTool("synth.rank", {}, [grep("g", "a.ts")])).toMatchObject({ query: null, count: 1 });
    expect(runSynthTool("synth.correlate", parseToolArgs("synth.correlate", {}), [grep("g", "a.ts")])).toMatchObject({
      groupBy: "path",
      groups: [{ key: "a.ts", count: 1 }],
    });
  });

  it("reads only the tasks named in args.from, fan-out items included", () => {
    const inputs = [grep("grep", "a.ts"), grep("scan[0]", "b.ts"), grep("scan[1]", "c.ts"), grep("scanner", "d.ts")];
    const out = runSynthTool("synth.merge", { from: ["scan"] }, inputs);
    expect(out.bySource).toEqual({ "scan[0]": 1, "scan[1]": 1 });
  });

  it("skips and counts malformed inputs instead of throwing, for every tool", () => {
    const malformed = [
      null,
      { source: "s1", tool: "code.grep" },
      { source: "s2", tool: "code.grep", output: "a string" },
      { source: "s3", tool: "web.search", output: [1, 2] },
      { source: "s4", tool: "code.grep", output: { matches: [{ path: "a.ts" }, 7, { path: "ok.ts", line: 3, text: "fine" }] } },
      { source: "s5", tool: "synth.merge", output: { records: [{ kind: "bogus", key: "k", text: "" }] } },
    ] as unknown as SynthInput[];
    const inputs = [...malformed, input("search", "web.search", searchOutput), input("page", "web.fetch", errorsPage)];
    const merged = runSynthTool("synth.merge", {}, inputs);
    expect(merged).toMatchObject({ skipped: 4, skippedItems: 3, count: 3 });
    for (const tool of ["synth.dedupe", "synth.rank", "synth.correlate", "synth.report"]) {
      expect(() => runSynthTool(tool, {}, inputs)).not.toThrow();
    }
    expect((runSynthTool("synth.report", {}, inputs).report as { totals: { skipped: number } }).totals.skipped).toBe(4);
    expect(runSynthTool("synth.merge", {}, "nonsense" as never)).toMatchObject({ count: 0, skipped: 0 });
  });

  it("is deterministic", () => {
    const inputs = [
      input("search", "web.search", searchOutput),
      input("page", "web.fetch", errorsPage),
      grep("g", "libs/core/src/errors.ts"),
    ];
    const a = runSynthTool("synth.report", { question: "errors" }, inputs);
    const b = runSynthTool("synth.report", { question: "errors" }, [...inputs]);
    expect(JSON.stringify(a)).toBe(JSON.stringify(b));
  });

  it("outputs are plain JSON (no undefined, NaN or class instances), as a protobuf Struct needs", () => {
    const inputs = [
      input("search", "web.search", searchOutput),
      input("page", "web.fetch", errorsPage),
      grep("g", "libs/core/src/errors.ts"),
      input("sh", "bash.exec", { exitCode: 1, stdout: "", stderr: "boom" }),
    ];
    for (const tool of ["synth.merge", "synth.dedupe", "synth.rank", "synth.correlate", "synth.report"]) {
      const out = runSynthTool(tool, {}, inputs);
      expect(JSON.parse(JSON.stringify(out))).toStrictEqual(out);
    }
  });
});
