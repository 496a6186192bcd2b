import { TaskSpec, WorkflowSpec } from "@toolmesh/proto";
import { describe, expect, it } from "vitest";
import { testLimits } from "./limits.js";
import { selectItems, validateWorkflow } from "../src/index.js";

const limits = testLimits;
const withMatch = (match: string) =>
  WorkflowSpec.fromPartial({
    name: "m",
    tasks: [
      TaskSpec.fromPartial({ id: "a", tool: "test.echo", args: {} }),
      TaskSpec.fromPartial({
        id: "b",
        tool: "test.echo",
        args: { value: "{{item}}" },
        dependsOn: ["a"],
        forEach: { from: "a", items: "list", maxItems: 0, match },
      }),
    ],
  });

describe("forEach.match runs in linear time (RE2)", () => {
  // Not a timing check: a backtracking engine would never finish on this item
  // (30 characters already took ~90 s), so the bound only guards against a hang.
  it("^(a+)+$ over a 2,000-character near-match finishes (backtracking would not)", () => {
    const item = `${"a".repeat(1999)}!`;
    const started = performance.now();
    const picked = selectItems([item, "a".repeat(30)], { match: "^(a+)+$", maxItems: 10 });
    const ms = performance.now() - started;
    expect(picked).toEqual({ taken: ["a".repeat(30)], dropped: 0, skipped: 1 });
    expect(ms).toBeLessThan(10_000);
  });

  it("patterns RE2 cannot express are INVALID_ARGUMENT naming the field and why", () => {
    const cases: Array<[string, RegExp]> = [
      ["a(?=b)", /forEach\.match: lookahead is not supported \(RE2 syntax\)/],
      ["a(?!b)", /forEach\.match: negative lookahead is not supported \(RE2 syntax\)/],
      ["(?<=a)b", /forEach\.match: lookbehind is not supported \(RE2 syntax\)/],
      ["(?<!a)b", /forEach\.match: negative lookbehind is not supported \(RE2 syntax\)/],
      ["(a)\\1", /forEach\.match: backreferences are not supported \(RE2 syntax\)/],
      ["(unclosed", /forEach\.match: not a valid regular expression \(RE2 syntax\): missing closing \)/],
    ];
    for (const [match, message] of cases) expect(() => validateWorkflow(withMatch(match), 10, limits), match).toThrow(message);
    expect(() => validateWorkflow(withMatch("^https?://(?P<host>[^/]+)"), 10, limits)).not.toThrow();
  });

  it("keeps RegExp's meaning for ordinary patterns", () => {
    const items = ["https://a/1", "file:///x", "HTTP://b", "src/a.ts", "src/b.tsx", "é.md"];
    expect(selectItems(items, { match: "^https?://", maxItems: 10 }).taken).toEqual(["https://a/1"]);
    expect(selectItems(items, { match: "(?i)^https?://", maxItems: 10 }).taken).toEqual(["https://a/1", "HTTP://b"]);
    expect(selectItems(items, { match: "\\.tsx?$", maxItems: 10 }).taken).toEqual(["src/a.ts", "src/b.tsx"]);
    expect(selectItems(items, { match: "^\\p{L}\\.md$", maxItems: 10 }).taken).toEqual(["é.md"]);
    expect(selectItems([{ path: "x.ts" }, { path: "y.md" }], { match: '"path":"[^"]+\\.ts"', maxItems: 10 }).taken).toEqual([
      { path: "x.ts" },
    ]);
  });
});
