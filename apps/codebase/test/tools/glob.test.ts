import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FILES, call, failure, makeTree, toolsFor, type Fixture } from "./fixture.js";

let fx: Fixture;
beforeAll(async () => {
  fx = await makeTree();
});
afterAll(async () => fx?.cleanup());

type Listing = { root: string; files: Array<{ path: string; size: number }>; count: number; truncated: boolean };
const glob = async (args: Record<string, unknown>): Promise<Listing> => (await call(toolsFor(fx.rootDir), "code.glob", args)) as Listing;
const paths = (out: Listing): string[] => out.files.map((f) => f.path);

describe("code.glob", () => {
  it("a pattern without / matches names at any depth; ignored, hidden and symlinked files are left out; sizes are real", async () => {
    const out = await glob({ patterns: ["*.ts"] });
    expect(paths(out)).toEqual(["src/lib/deep.ts", "src/lib/sub/local-only.ts", "src/main.ts", "unicode.ts"]);
    expect(out.files[2]).toEqual({ path: "src/main.ts", size: Buffer.byteLength(FILES["src/main.ts"]!) });
    expect(out).toMatchObject({ root: "root", count: 4, truncated: false });
  });

  it("hidden and gitignore switches, exclude globs; .git is never listed", async () => {
    const out = await glob({
      patterns: ["**/*.ts", "**"],
      hidden: true,
      gitignore: false,
      exclude: ["build/**", "*.txt", "*.md", "*.tsx", "a", "src/*.*", "*.bin", "*.log", "*.LOG", ".*ignore", ".env"],
    });
    expect(paths(out)).toEqual([
      ".hidden/config.ts",
      "scratch/note.ts",
      "src/lib/deep.ts",
      "src/lib/from-src.ts",
      "src/lib/generated.ts",
      "src/lib/local-only.ts",
      "src/lib/sub/local-only.ts",
      "unicode.ts",
    ]);
    const everything = await glob({ patterns: ["**"], hidden: true, gitignore: false });
    expect(paths(everything).some((p) => p.startsWith(".git/"))).toBe(false);
    expect(paths(everything)).toContain(".gitignore");
  });

  it("an ignore rule's whitelist (!.env) shows a hidden file, as in ripgrep; other dot files stay hidden", async () => {
    const out = await glob({ patterns: ["*"] });
    expect(paths(out)).toContain(".env");
    expect(paths(out)).not.toContain(".gitignore");
    expect(paths(out)).not.toContain(".hidden/config.ts");
  });

  it("patterns with / are anchored at the search path, which may hold glob characters", async () => {
    expect(paths(await glob({ path: "src", patterns: ["lib/*.ts"] }))).toEqual(["src/lib/deep.ts"]);
    expect(paths(await glob({ path: "src", patterns: ["/main.ts"] }))).toEqual(["src/main.ts"]);
    expect(paths(await glob({ path: "src", patterns: ["**/local-only.ts"] }))).toEqual(["src/lib/sub/local-only.ts"]);
    expect(paths(await glob({ path: "app/(group)", patterns: ["sub/*.tsx"] }))).toEqual(["app/(group)/sub/inner.tsx"]);
    expect(paths(await glob({ path: "app/(group)", patterns: ["*.tsx"] }))).toEqual(["app/(group)/page.tsx", "app/(group)/sub/inner.tsx"]);
    expect(paths(await glob({ patterns: ["app/(group)/*.tsx"] }))).toEqual(["app/(group)/page.tsx"]);
  });

  it("braces, classes, negated classes, and directory-only excludes", async () => {
    expect(paths(await glob({ patterns: ["*.{py,go}"] }))).toEqual(["src/app.py", "src/server.go"]);
    expect(paths(await glob({ patterns: ["[ab].txt"] }))).toEqual(["a/b.txt", "a.txt"]);
    const notA = paths(await glob({ patterns: ["[!a]*.txt"] }));
    expect(notA).toContain("a/b.txt");
    expect(notA).not.toContain("a.txt");
    expect(notA).not.toContain("a-b.txt");
    expect(paths(await glob({ patterns: ["*.ts"], exclude: ["lib/"] }))).toEqual(["src/main.ts", "unicode.ts"]);
  });

  it("sorted in path order: a directory's files come right after its name", async () => {
    expect(paths(await glob({ patterns: ["a*.txt", "b.txt"] }))).toEqual(["a/b.txt", "a-b.txt", "a.txt", "src/anchored.txt"]);
  });

  it("maxResults cuts with truncated", async () => {
    const all = await glob({ patterns: ["*"] });
    const cut = await glob({ patterns: ["*"], maxResults: 2 });
    expect(cut.files).toEqual(all.files.slice(0, 2));
    expect(cut).toMatchObject({ count: 2, truncated: true });
    expect((await glob({ patterns: ["*"], maxResults: all.count })).truncated).toBe(false);
  });

  it("a file as the path is listed if a pattern matches it", async () => {
    expect(paths(await glob({ path: "src/main.ts", patterns: ["*.ts"] }))).toEqual(["src/main.ts"]);
    expect(paths(await glob({ path: "src/main.ts", patterns: ["*.js"] }))).toEqual([]);
  });

  it("bad globs are INVALID_ARGUMENT with a hint", async () => {
    expect(await failure(glob({ patterns: ["!*.ts"] }))).toMatchObject({
      code: "INVALID_ARGUMENT",
      message: expect.stringMatching(/exclude/),
    });
    expect(await failure(glob({ patterns: ["src/"] }))).toMatchObject({
      code: "INVALID_ARGUMENT",
      message: expect.stringMatching(/src\/\*\*/),
    });
    expect(await failure(glob({ patterns: ["{a,b"] }))).toMatchObject({ code: "INVALID_ARGUMENT" });
  });
});
