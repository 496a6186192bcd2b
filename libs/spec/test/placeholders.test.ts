import { describe, expect, it } from "vitest";
import { hasPlaceholder, placeholdersIn, referencedTasks } from "../src/index.js";

describe("the placeholder grammar", () => {
  it("finds placeholders anywhere in a value", () => {
    expect(placeholdersIn({ a: "{{item.path}}", b: ["x {{ tasks.grep.matches }} y", 3], c: { d: "{{index}}" } })).toEqual([
      "item.path",
      "tasks.grep.matches",
      "index",
    ]);
  });

  it("names the tasks a value reads", () => {
    expect([...referencedTasks({ q: "{{tasks.a.x}} and {{tasks.b}}", u: "{{item}}" })]).toEqual(["a", "b"]);
  });

  it("counts only what the coordinator fills: braces around other text are plain text", () => {
    expect(hasPlaceholder({ path: "{{item}}" })).toBe(true);
    expect(hasPlaceholder("{{ not a path }}")).toBe(false);
    expect(hasPlaceholder("{}")).toBe(false);
  });
});
