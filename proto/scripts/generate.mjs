// Regenerates gen/ from toolmesh/**/*.proto with ts-proto through the buf CLI
// (shipped inside the @bufbuild/buf npm package, so no system protoc is
// needed). Skips the work when every output is newer than every input.
import { execFileSync } from "node:child_process";
import { existsSync, readdirSync, statSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const genDir = join(root, "gen");

function files(dir, ext) {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true })
    .map((f) => join(dir, String(f)))
    .filter((f) => f.endsWith(ext));
}

const inputs = [...files(join(root, "toolmesh"), ".proto"), join(root, "buf.gen.yaml"), fileURLToPath(import.meta.url)];
const outputs = files(genDir, ".ts");
const newestInput = Math.max(...inputs.map((f) => statSync(f).mtimeMs));
const oldestOutput = outputs.length ? Math.min(...outputs.map((f) => statSync(f).mtimeMs)) : 0;
if (outputs.length > 0 && oldestOutput >= newestInput) {
  console.log("proto: gen/ is up to date");
  process.exit(0);
}

const require = createRequire(import.meta.url);
const bufBin = join(dirname(require.resolve("@bufbuild/buf/package.json")), "bin", "buf");
rmSync(genDir, { recursive: true, force: true });
execFileSync(bufBin, ["generate"], { cwd: root, stdio: "inherit" });
console.log(`proto: generated ${files(genDir, ".ts").length} files into gen/`);
