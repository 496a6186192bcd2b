import { parseToolArgs } from "@toolmesh/tools";
import { mkdir, mkdtemp, realpath, rm, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { createCodebaseTools, parseRoots, type CodebaseTools } from "@toolmesh/codebase";
import { systemTool } from "@toolmesh/testing";

export const SECRET = "TOP-SECRET-OUTSIDE-THE-ROOT";
/** ripgrep: where it is missing the tests of its engine skip, saying so, and with CI=true they fail. */
export const rg = systemTool("rg", { package: "ripgrep", purpose: "the codebase pool's fast grep engine" });
export type ToolName = "code.glob" | "code.grep" | "code.read" | "code.analyze";

export interface Fixture {
  base: string;
  rootDir: string;
  outsideDir: string;
  cleanup(): Promise<void>;
}

const utf16 = (text: string): Buffer => Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, "utf16le")]);

/** Every file of the fixture tree, relative to the root. */
export const FILES: Record<string, string | Buffer> = {
  "README.md": "# Fixture\nTODO: write docs\n",
  ".gitignore": "build/\n*.log\n/anchored.txt\n!.env\n",
  ".ignore": "scratch/\n",
  ".rgignore": "rgignored.txt\n",
  ".git/info/exclude": "excluded-by-git.txt\n",
  ".git/HEAD": "TODO inside .git\n",
  ".env": "TODO=whitelisted hidden file\n",
  "excluded-by-git.txt": "TODO excluded by .git/info/exclude\n",
  "rgignored.txt": "TODO ignored by .rgignore\n",
  "anchored.txt": "TODO anchored rule at the root\n",
  "src/anchored.txt": "TODO the root's anchored rule does not reach here\n",
  "src/.gitignore": "/lib/from-src.ts\n",
  "src/main.ts":
    "export function main(): void {\n  // TODO: start\n  console.log('hello');\n}\nexport class Server {}\nconst internal = 1;\nexport interface Options { verbose: boolean }\n",
  "src/util.js":
    "export const add = (a, b) => a + b;\n// todo lower case\nfunction helper() { return 'TODO'; }\nmodule.exports.helper = helper;\n",
  "src/app.py": "def run():\n    pass\n\nclass Thing:\n    def method(self):\n        pass\n\ndef _private():\n    pass\n",
  "src/server.go": "package main\n\nfunc Serve() {}\nfunc (s *S) Close() {}\ntype Config struct {\n}\nfunc helper() {}\n",
  "src/lib.rs": "pub fn open() {}\nfn close() {}\npub struct Handle;\npub(crate) enum Mode { A }\n",
  "src/lib/.gitignore": "generated.ts\n!keep.log\n/local-only.ts\n",
  "src/lib/generated.ts": "// TODO in an ignored file\n",
  "src/lib/keep.log": "TODO kept by a negation\n",
  "src/lib/local-only.ts": "// TODO ignored by an anchored rule\n",
  "src/lib/sub/local-only.ts": "// TODO the anchored rule stops one level up\n",
  "src/lib/from-src.ts": "// TODO ignored by src/.gitignore\n",
  "src/lib/deep.ts": "interface Shape { area(): number }\nexport type Id = string;\nexport enum Color { Red }\n",
  "app/(group)/page.tsx": "export default function Page() { return null; } // TODO page\n",
  "app/(group)/sub/inner.tsx": "export const Inner = () => null; // TODO inner\n",
  "build/out.ts": "// TODO build output\n",
  "debug.log": "TODO in a log\n",
  "NOTES.LOG": "TODO ignore rules are case-sensitive\n",
  ".hidden/config.ts": "// TODO hidden\n",
  "scratch/note.ts": "// TODO scratch\n",
  "data.bin": Buffer.from([0x54, 0x4f, 0x44, 0x4f, 0x00, 0x01, 0x02, 0x0a]),
  "late-nul.txt": `TODO before a late NUL\n${"filler line of text\n".repeat(6000)}\0\nTODO after\n`,
  "unicode.ts": "const café = 'naïve'; // é 😀 TODO\n",
  "crlf.txt": "TODO one\r\nline two TODO\r\nend$\r\n",
  "bom.txt": Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from("xx TODO bom\n")]),
  "utf16.txt": utf16("wide é TODO\nsecond\n"),
  "no-newline.txt": "first\nlast TODO",
  "a.txt": "order TODO a.txt\n",
  "a/b.txt": "order TODO a/b.txt\n",
  "a-b.txt": "order TODO a-b.txt\n",
  "long.txt": `${"x".repeat(3999)}TODO${"y".repeat(1000)}\n`,
  "empty.txt": "",
};

/**
 * A real tree on disk: ignore files of every kind (nested, anchored,
 * negated), hidden files, binaries, encodings, and symlinks inside the
 * root and escaping it to a sibling directory whose file holds SECRET.
 */
export async function makeTree(): Promise<Fixture> {
  const base = await realpath(await mkdtemp(join(tmpdir(), "toolmesh-tools-")));
  const rootDir = join(base, "root");
  const outsideDir = join(base, "outside");
  for (const [rel, content] of Object.entries(FILES)) {
    await mkdir(dirname(join(rootDir, rel)), { recursive: true });
    await writeFile(join(rootDir, rel), content);
  }
  await mkdir(outsideDir, { recursive: true });
  await writeFile(join(outsideDir, "secret.txt"), `${SECRET}\nTODO secret\nexport const leaked = 1;\n`);
  await writeFile(join(base, "sibling.txt"), `${SECRET}\n`);
  await symlink(join(outsideDir, "secret.txt"), join(rootDir, "escape-file.txt"));
  await symlink(outsideDir, join(rootDir, "escape-dir"));
  await symlink("../../outside/secret.txt", join(rootDir, "src", "relative-escape.txt"));
  await symlink("src/main.ts", join(rootDir, "inside-link.ts"));
  await symlink("src/lib", join(rootDir, "inside-dir"));
  await symlink(".", join(rootDir, "loop"));
  return { base, rootDir, outsideDir, cleanup: () => rm(base, { recursive: true, force: true }) };
}

export function toolsFor(rootDir: string | string[], ripgrep?: string | null, maxReadBytes?: number): CodebaseTools {
  if (ripgrep === "rg") rg.require();
  return createCodebaseTools({
    roots: parseRoots(Array.isArray(rootDir) ? rootDir : [rootDir]),
    ripgrep,
    ...(maxReadBytes ? { maxReadBytes } : {}),
  });
}

/** Calls a handler the way the worker runtime does: arguments parsed (defaults applied) by the catalog first. */
export async function call(
  tools: CodebaseTools,
  tool: ToolName,
  args: Record<string, unknown>,
  signal = new AbortController().signal,
): Promise<Record<string, any>> {
  return tools[tool](parseToolArgs(tool, args), { signal });
}

/** The error a call rejects with (fails the test if it resolves). */
export async function failure(promise: Promise<unknown>): Promise<{ code: string; message: string }> {
  try {
    await promise;
  } catch (err) {
    return err as { code: string; message: string };
  }
  throw new Error("expected the call to fail");
}

export const ENGINES = [
  ["ripgrep", "rg"],
  ["builtin", null],
] as const;
