import { createCodebaseTools, parseRoots, type CodebaseTools } from "@toolmesh/codebase";
import { parseToolArgs } from "@toolmesh/tools";
import { mkdir, mkdtemp, rm, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";

export const SECRET = "TOP-SECRET-OUTSIDE-THE-ROOT";

export interface Fixture {
  base: string;
  rootDir: string;
  outsideDir: string;
  cleanup(): Promise<void>;
}

/**
 * A real tree on disk: nested .gitignore and .ignore, hidden files, a binary
 * file, symlinks inside the root and symlinks escaping it to a sibling
 * directory whose file holds SECRET.
 */
export async function makeTree(): Promise<Fixture> {
  const base = await mkdtemp(join(tmpdir(), "toolmesh-codebase-"));
  const rootDir = join(base, "root");
  const outsideDir = join(base, "outside");
  const files: Record<string, string | Buffer> = {
    "README.md": "# Fixture\nTODO: write docs\n",
    ".gitignore": "build/\n*.log\n",
    "src/main.ts": "export function main(): void {\n  // TODO: start\n  console.log('hello');\n}\nexport class Server {}\nconst internal = 1;\n",
    "src/util.js": "export const add = (a, b) => a + b;\n// todo lower case\nfunction helper() { return 'TODO'; }\n",
    "src/lib/.gitignore": "generated.ts\n!keep.log\n",
    "src/lib/generated.ts": "// TODO in an ignored file\n",
    "src/lib/keep.log": "TODO kept by a negation\n",
    "src/lib/deep.ts": "interface Shape { area(): number }\nexport type Id = string;\nexport enum Color { Red }\n",
    "src/app.py": "def run():\n    pass\n\nclass Thing:\n    pass\n",
    "build/out.ts": "// TODO build output\n",
    "debug.log": "TODO in a log\n",
    ".hidden/config.ts": "// TODO hidden\n",
    ".ignore": "scratch/\n",
    "scratch/note.ts": "// TODO scratch\n",
    "data.bin": Buffer.from([0x54, 0x4f, 0x44, 0x4f, 0x00, 0x01, 0x02]),
    "unicode.ts": "const café = 'naïve'; // TODO é\n",
  };
  for (const [rel, content] of Object.entries(files)) {
    await mkdir(dirname(join(rootDir, rel)), { recursive: true });
    await writeFile(join(rootDir, rel), content);
  }
  await mkdir(outsideDir, { recursive: true });
  await writeFile(join(outsideDir, "secret.txt"), `${SECRET}\nTODO secret\n`);
  await writeFile(join(base, "sibling.txt"), `${SECRET}\n`);
  await symlink(join(outsideDir, "secret.txt"), join(rootDir, "escape-file.txt"));
  await symlink(outsideDir, join(rootDir, "escape-dir"));
  await symlink("../../outside/secret.txt", join(rootDir, "src", "relative-escape.txt"));
  await symlink(join(rootDir, "src", "main.ts"), join(rootDir, "inside-link.ts"));
  return { base, rootDir, outsideDir, cleanup: () => rm(base, { recursive: true, force: true }) };
}

export function toolsFor(rootDir: string, ripgrep?: string | null): CodebaseTools {
  return createCodebaseTools({ roots: parseRoots([rootDir]), ripgrep });
}

/** Calls a handler the way the runtime does: arguments parsed by the catalog first. */
export async function call(tools: CodebaseTools, tool: "code.glob" | "code.grep" | "code.read" | "code.analyze", args: Record<string, unknown>, signal = new AbortController().signal): Promise<Record<string, unknown>> {
  return tools[tool](parseToolArgs(tool, args), { signal });
}
