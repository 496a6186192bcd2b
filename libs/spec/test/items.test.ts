import { describe, expect, it } from "vitest";
import { fillPlaceholders, itemsAt, selectItems } from "../src/index.js";

describe("fan-out items", () => {
  it("filters by match, keeps one of each distinct value in order, and caps at maxItems", () => {
    const urls = ["https://a/1", "file:///x", "https://a/1", "http://b/2", "https://c/3"];
    expect(selectItems(urls, { match: "^https?://", maxItems: 2 })).toEqual({
      taken: ["https://a/1", "http://b/2"],
      dropped: 1,
      skipped: 1,
    });
    // Objects are the same item whatever their key order.
    expect(
      selectItems(
        [
          { a: 1, b: 2 },
          { b: 2, a: 1 },
        ],
        { maxItems: 10 },
      ).taken,
    ).toHaveLength(1);
  });

  it("reads items at a dot path, mapping elements to a field with []", () => {
    const output = { files: [{ path: "a.ts" }, { path: "b.ts" }, { size: 3 }] };
    expect(itemsAt(output, "files[].path")).toEqual(["a.ts", "b.ts"]);
    expect(itemsAt({ list: [1, 2] }, "list")).toEqual([1, 2]);
    expect(() => itemsAt(output, "nope")).toThrow(/forEach.items "nope" is not an array/);
  });

  it("fills placeholders keeping the type of a whole-string one", () => {
    expect(fillPlaceholders({ n: "{{item.n}}", s: "n={{item.n}}", i: "{{index}}" }, { item: { n: 3 }, index: 0 })).toEqual({
      n: 3,
      s: "n=3",
      i: 0,
    });
    expect(() => fillPlaceholders("{{item.missing}}", { item: {} })).toThrow(/is undefined/);
  });
});
