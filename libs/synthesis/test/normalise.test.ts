import { toRecords, type SynthRecord } from "@toolmesh/synthesis";
import { describe, expect, it } from "vitest";
import { code } from "./code-outputs.js";
import { agentOutput, bashOutput, errorsPage, input, searchOutput, TREE } from "./fixtures.js";

const byKey = (records: SynthRecord[]) => new Map(records.map((r) => [r.key, r]));

describe("toRecords", () => {
  it("code.grep matches become match records keyed path:line", () => {
    const records = toRecords(input("grep-todo", "code.grep", code.grepTodo));
    expect(records.map((r) => r.key)).toEqual([
      "apps/api/src/main.ts:3",
      "apps/api/src/main.ts:4",
      "apps/api/src/main.ts:5",
      "libs/core/src/errors.ts:2",
    ]);
    expect(records[3]).toEqual({
      kind: "match",
      key: "libs/core/src/errors.ts:2",
      text: "// TODO: map every code to a gRPC status",
      path: "libs/core/src/errors.ts",
      line: 2,
      sources: ["grep-todo"],
      tools: ["code.grep"],
    });
  });

  it("code.analyze files carry language, lines, bytes and symbol counts; symbols become records", () => {
    const records = toRecords(input("analyze", "code.analyze", code.analyze));
    const m = byKey(records);
    expect(m.get("libs/core/src/errors.ts")).toMatchObject({ kind: "file", language: "TypeScript", lines: 3, symbols: 2 });
    expect(m.get("README.md")).toMatchObject({ kind: "file", language: "Markdown", lines: 2 });
    const symbol = records.find((r) => r.kind === "symbol" && r.title === "ToolError");
    expect(symbol).toMatchObject({
      key: "libs/core/src/errors.ts:1#ToolError",
      path: "libs/core/src/errors.ts",
      line: 1,
      text: "exported class ToolError",
    });
  });

  it("code.glob files and code.read content become file records", () => {
    expect(toRecords(input("glob", "code.glob", code.glob)).map((r) => [r.kind, r.key, r.bytes])).toEqual([
      ["file", "README.md", Buffer.byteLength(TREE["README.md"] as string)],
      ["file", "docs/guide.md", Buffer.byteLength(TREE["docs/guide.md"] as string)],
    ]);
    const [read] = toRecords(input("read", "code.read", code.read));
    expect(read).toMatchObject({
      kind: "file",
      key: "README.md",
      language: "Markdown",
      lines: 2,
      text: "# demo\nSee libs/core/src/errors.ts for the error codes.\n",
    });
  });

  it("code.read files are named by the shared language table (code.analyze's), by name or extension, or left unnamed", () => {
    const languageOfRead = (path: string) => toRecords(input("read", "code.read", { ...code.read, path }))[0]?.language;
    expect(languageOfRead("deploy/Dockerfile")).toBe("Dockerfile");
    expect(languageOfRead("infra/main.tf")).toBe("HCL");
    expect(languageOfRead("LICENSE")).toBeUndefined();
  });

  it("web.search results are keyed by canonical URL and keep their score; web.fetch pages too", () => {
    const results = toRecords(input("search", "web.search", searchOutput));
    expect(results[0]).toMatchObject({
      kind: "search-result",
      key: "https://docs.example.com/errors",
      title: "Error codes",
      score: 0.032787,
    });
    const [page] = toRecords(input("fetch", "web.fetch", errorsPage));
    expect(page).toMatchObject({
      kind: "page",
      key: "https://docs.example.com/errors",
      url: "https://docs.example.com/errors",
      title: "Error codes — toolmesh docs",
    });
    expect(page?.text).toContain("libs/core/src/errors.ts");
  });

  it("bash.exec output becomes a command record titled with the fan-out item and exit status", () => {
    const [cmd] = toRecords(input("sh[2]", "bash.exec", bashOutput, "git diff --stat"));
    expect(cmd).toMatchObject({
      kind: "command",
      key: "command:sh[2]",
      title: "git diff --stat (exit 0)",
      exitCode: 0,
      sources: ["sh[2]"],
    });
    expect(cmd?.text).toContain("3 files changed");
    const [killed] = toRecords(input("sh", "bash.exec", { ...bashOutput, exitCode: null, signal: "SIGKILL", killed: "timeout" }));
    expect(killed).toMatchObject({ title: "killed (timeout)", exitCode: null });
  });

  it("agent.run answers, test.echo values and unknown shapes", () => {
    expect(toRecords(input("agent", "agent.run", agentOutput))[0]).toMatchObject({
      kind: "agent",
      key: "agent:agent",
      text: agentOutput.answer,
    });
    const [echo] = toRecords(input("echo", "test.echo", { value: { greeting: "hello", n: 3, list: ["world"] } }));
    expect(echo).toMatchObject({ kind: "text", text: "hello\nworld", sources: ["echo"] });
    expect(toRecords(input("fail", "test.fail", { attempt: 2 }))).toEqual([]);
  });

  it("synth outputs are read back as records, keeping their original sources", () => {
    const first = toRecords(input("grep-todo", "code.grep", code.grepTodo));
    const again = toRecords(input("merged", "synth.merge", { records: first, count: first.length }));
    expect(again).toEqual(first);
    const [report] = toRecords(input("rep", "synth.report", { report: { title: "R" }, markdown: "# R\nbody" }));
    expect(report).toMatchObject({ kind: "text", title: "R", text: "# R\nbody", sources: ["rep"] });
  });

  it("never throws on malformed outputs", () => {
    const bad: unknown[] = [
      null,
      "text",
      42,
      [],
      { matches: "nope" },
      { matches: [null, { path: 3 }] },
      { results: [{ title: "no url" }] },
    ];
    for (const output of bad) expect(() => toRecords({ source: "x", tool: "code.grep", output } as never)).not.toThrow();
    expect(toRecords(input("x", "code.grep", { matches: [{ path: "a.ts", line: 1, text: "ok" }, { line: 2 }] }))).toHaveLength(1);
  });
});
