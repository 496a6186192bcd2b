import { stripVTControlCharacters } from "node:util";
import { describe, expect, it } from "vitest";

// The table library decides once, when it loads, whether colours are possible,
// and says no under CI=true or without a TTY; this file is about what the
// renderer asks for when they are, so it loads with colours available.
process.env.FORCE_COLOR = "1";
const { RenderModeError, formatReport, renderForTerminal, renderMode } = await import("../src/markdown.js");

// As synth.report writes it: Markdown's active characters escaped in text.
const report = [
  "# Codebase: TM\\_RESULTS",
  "",
  "**Question:** where is a\\<b\\> \\*set\\*",
  "",
  "## Summary",
  "",
  "- Inputs: 3",
  "- See [the docs](https://example.com/docs) and **only** `a_b` in TM\\_ITEM",
  "",
  "| language | files |",
  "|---|---|",
  "| Type\\_Script | 12 |",
  "",
  "```",
  "const x = a_b;",
  "```",
  "",
].join("\n");

// Colours and OSC 8 hyperlinks out, the text the reader sees left.
const plain = (text: string): string => stripVTControlCharacters(text);

describe("reports on a terminal", () => {
  it("renders headings, lists, tables, links and code, without backslash escapes or markup", () => {
    const text = plain(renderForTerminal(report, 80));
    expect(text).not.toContain("\\");
    expect(text).not.toMatch(/^#/m);
    expect(text).not.toContain("**");
    expect(text).toMatch(/^Codebase: TM_RESULTS$/m);
    expect(text).toContain("Question: where is a<b> *set*");
    expect(text).toMatch(/^\s+\* Inputs: 3$/m);
    // Inline Markdown inside list items too (marked-terminal alone prints it raw).
    expect(text).toMatch(/^\s+\* See the docs \(https:\/\/example\.com\/docs\) and only a_b in TM_ITEM$/m);
    expect(text).toMatch(/│ Type_Script\s+│ 12\s+│/);
    expect(text).toContain("const x = a_b;");
    expect(text).not.toContain("```");
  });

  it("colours tables only when asked to", () => {
    expect(renderForTerminal(report, 80, false)).not.toContain("\x1b[");
    expect(renderForTerminal(report, 80, true)).toContain("\x1b[90m│");
  });

  it("leaves what looks like an emoji code alone", () => {
    expect(plain(renderForTerminal("see src/a:b:c.ts"))).toContain("src/a:b:c.ts");
  });

  it("renders on a TTY and keeps the Markdown when piped; TOOLMESH_RENDER overrides both", () => {
    expect(renderMode(true, {})).toBe("terminal");
    expect(renderMode(false, {})).toBe("markdown");
    expect(renderMode(undefined, {})).toBe("markdown");
    expect(renderMode(true, { TOOLMESH_RENDER: "markdown" })).toBe("markdown");
    expect(renderMode(false, { TOOLMESH_RENDER: "terminal" })).toBe("terminal");
    expect(() => renderMode(true, { TOOLMESH_RENDER: "html" })).toThrow(RenderModeError);
    expect(formatReport(report, { isTTY: false }, {})).toBe(report);
    expect(plain(formatReport(report, { isTTY: true, columns: 60 }, {}))).toMatch(/^Codebase: TM_RESULTS$/m);
  });
});
