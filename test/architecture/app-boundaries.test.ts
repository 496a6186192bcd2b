/**
 * No app imports another app (issue 11 item 7). The rule, over every .ts
 * file under apps/<app>/src and apps/<app>/test:
 *
 *   - an import (`import … from`, `export … from`, `import()`, `require()`)
 *     never names another app's package (@toolmesh/<app>, the CLI's
 *     `toolmesh`): shared code belongs in a lib;
 *   - a relative import never leaves its own app (no `../../../test/support/…`
 *     or `../../<other>/dist/…`): test helpers are shared through
 *     @toolmesh/testing;
 *   - a path built from import.meta.url (`new URL("…", import.meta.url)`)
 *     never points into another app, a lib or the system tests; reading data
 *     at the repository's root (examples/, the tree itself) is fine;
 *   - another app is reached only to run it, as a process: its entry point is
 *     resolved through its package's exports (`require.resolve` /
 *     `import.meta.resolve` of `@toolmesh/<app>/main`, or a package's `bin`
 *     script), and that app is a declared dependency (so it is built first).
 */
import { readFileSync, readdirSync, statSync } from "node:fs";
import { dirname, join, relative, resolve, sep } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, test } from "vitest";

const repoRoot = fileURLToPath(new URL("../..", import.meta.url));
const appsDir = join(repoRoot, "apps");

interface AppPackage {
  dir: string;
  name: string;
  bin: string[];
  dependencies: Set<string>;
}

const apps: AppPackage[] = readdirSync(appsDir)
  .filter((dir) => statSync(join(appsDir, dir, "package.json"), { throwIfNoEntry: false })?.isFile())
  .map((dir) => {
    const pkg = JSON.parse(readFileSync(join(appsDir, dir, "package.json"), "utf8"));
    const bin = typeof pkg.bin === "string" ? [pkg.bin] : Object.values<string>(pkg.bin ?? {});
    return {
      dir,
      name: pkg.name,
      bin: bin.map((b) => b.replace(/^\.\//, "")),
      dependencies: new Set([...Object.keys(pkg.dependencies ?? {}), ...Object.keys(pkg.devDependencies ?? {})]),
    };
  });
const appOfPackage = new Map(apps.map((a) => [a.name, a]));

function tsFiles(dir: string): string[] {
  if (!statSync(dir, { throwIfNoEntry: false })?.isDirectory()) return [];
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === "node_modules" || entry.name === "dist" ? [] : tsFiles(path);
    return entry.name.endsWith(".ts") ? [path] : [];
  });
}

type Kind = "import" | "resolve" | "url";
interface Reference {
  kind: Kind;
  specifier: string;
  line: number;
}

const PATTERNS: ReadonlyArray<[Kind, RegExp]> = [
  ["import", /\bfrom\s+["']([^"']+)["']/g],
  ["import", /^\s*import\s+["']([^"']+)["']/gm],
  ["import", /\bimport\(\s*["'`]([^"'`]+)["'`]\s*\)/g],
  ["import", /(?<![.\w])require\(\s*["'`]([^"'`]+)["'`]\s*\)/g],
  ["resolve", /\brequire\.resolve\(\s*["'`]([^"'`]+)["'`]/g],
  ["resolve", /\bimport\.meta\.resolve\(\s*["'`]([^"'`]+)["'`]/g],
  ["url", /\bnew URL\(\s*["'`]([^"'`]+)["'`]\s*,\s*import\.meta\.url\s*\)/g],
];

function references(text: string): Reference[] {
  const found: Reference[] = [];
  for (const [kind, pattern] of PATTERNS) {
    for (const match of text.matchAll(pattern)) {
      found.push({ kind, specifier: match[1]!, line: text.slice(0, match.index).split("\n").length });
    }
  }
  return found;
}

/** The app package a bare specifier names, with the rest of it (`@toolmesh/codebase/main` → codebase, "main"). */
function namedApp(specifier: string): { app: AppPackage; subpath: string } | undefined {
  const parts = specifier.split("/");
  const name = specifier.startsWith("@") ? parts.slice(0, 2).join("/") : parts[0]!;
  const subpath = parts.slice(specifier.startsWith("@") ? 2 : 1).join("/");
  // `@toolmesh/${service}/main`: a service chosen at run time, always through its ./main export.
  if (/^@toolmesh\/\$\{[^}]+\}$/.test(name)) return { app: { dir: "*", name, bin: [], dependencies: new Set() }, subpath };
  const app = appOfPackage.get(name);
  return app ? { app, subpath } : undefined;
}

/** What is wrong with one reference from a file of `self`, or undefined. */
function problem(self: AppPackage, file: string, ref: Reference): string | undefined {
  const { kind, specifier } = ref;
  if (specifier.startsWith(".")) {
    if (specifier.includes("${")) return undefined;
    const target = resolve(dirname(file), specifier);
    const inside = (dir: string): boolean => target === dir || target.startsWith(dir + sep);
    if (kind !== "url") return inside(join(appsDir, self.dir)) ? undefined : `a relative import leaves apps/${self.dir}: ${specifier}`;
    const code = [join(repoRoot, "libs"), join(repoRoot, "test"), ...apps.filter((a) => a !== self).map((a) => join(appsDir, a.dir))];
    return code.some(inside) ? `a path into ${relative(repoRoot, target)} (another package's files)` : undefined;
  }
  const named = namedApp(specifier);
  if (!named || named.app === self) return undefined;
  if (kind === "import") return `imports the app ${named.app.name}`;
  if (kind !== "resolve") return undefined;
  const entryPoint = named.subpath === "main" || named.app.bin.includes(named.subpath);
  if (!entryPoint) return `resolves ${specifier}: only an app's ./main export or bin script may be resolved (to run it)`;
  if (named.app.dir !== "*" && !self.dependencies.has(named.app.name)) return `runs ${named.app.name} without declaring it a dependency`;
  return undefined;
}

describe("apps reach other apps only by running them", () => {
  test.each(apps.map((a) => [a.dir, a] as const))("apps/%s", (_dir, app) => {
    const found: string[] = [];
    for (const file of [...tsFiles(join(appsDir, app.dir, "src")), ...tsFiles(join(appsDir, app.dir, "test"))]) {
      const text = readFileSync(file, "utf8");
      for (const ref of references(text)) {
        const why = problem(app, file, ref);
        if (why) found.push(`${relative(repoRoot, file)}:${ref.line}: ${why}`);
      }
    }
    expect(found).toEqual([]);
  });

  test("the rule sees what it forbids", () => {
    const cli = appOfPackage.get("toolmesh")!;
    const file = join(appsDir, "cli", "test", "x.test.ts");
    const verdicts = references(
      [
        'import { startCoordinator } from "@toolmesh/coordinator";',
        'import { FakeLlmServer } from "../../../test/support/fake-llm-server.js";',
        'const p = require.resolve("@toolmesh/coordinator/dist/engine.js");',
        'const q = require.resolve("@toolmesh/testpool/main");',
        'const r = new URL("../../codebase/dist/main.js", import.meta.url);',
        'const ok = require.resolve("@toolmesh/coordinator/main");',
        'const data = new URL("../../../examples/fan-out.yaml", import.meta.url);',
      ].join("\n"),
    ).map((ref) => [ref.line, problem(cli, file, ref) !== undefined]);
    expect(Object.fromEntries(verdicts)).toEqual({ 1: true, 2: true, 3: true, 4: true, 5: true, 6: false, 7: false });
  });
});
