// The API checks CI runs (through `npm run lint`): `buf lint` with buf's
// STANDARD rules (buf.yaml), then `buf breaking` against
// baseline/toolmesh-v1.binpb, the API as last published.
//
// Why a committed baseline and not a git ref: CI runs on a clone of main,
// where the merge-base with main is HEAD itself and HEAD~1 may be missing
// (shallow clones) or may hold an intentional pre-release change. The
// baseline file works on any clone, and replacing it is a change a reviewer
// sees (docs/architecture.md, "Decisions"). Refresh it when a release
// publishes the API:
//   npm run baseline --workspace proto
//
//   node scripts/buf-check.mjs [module-dir]        lint + breaking (exit 1 on a finding)
//   node scripts/buf-check.mjs --update-baseline   rebuild the baseline from toolmesh/
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const protoDir = join(dirname(fileURLToPath(import.meta.url)), "..");
const require = createRequire(import.meta.url);
const bufBin = join(dirname(require.resolve("@bufbuild/buf/package.json")), "bin", "buf");
const BASELINE = join("baseline", "toolmesh-v1.binpb");

function buf(args, cwd) {
  const result = spawnSync(bufBin, args, { cwd, stdio: "inherit" });
  if (result.error) throw result.error;
  return result.status ?? 1;
}

const args = process.argv.slice(2);
if (args[0] === "--update-baseline") {
  // Without source info: breaking compares declarations, not comments or line numbers.
  process.exitCode = buf(["build", "--exclude-source-info", "-o", BASELINE], protoDir);
  if (process.exitCode === 0) console.log(`proto: wrote ${BASELINE}`);
} else {
  const moduleDir = resolve(args[0] ?? protoDir);
  const baseline = join(moduleDir, BASELINE);
  if (!existsSync(baseline)) {
    console.error(`proto: ${baseline} is missing; build it with \`npm run baseline --workspace proto\``);
    process.exit(1);
  }
  const lint = buf(["lint"], moduleDir);
  const breaking = buf(["breaking", "--against", relative(moduleDir, baseline)], moduleDir);
  if (lint !== 0) console.error("proto: buf lint found the problems above (rules and exceptions: proto/buf.yaml)");
  if (breaking !== 0)
    console.error(`proto: buf breaking found changes that break clients of ${BASELINE} (docs/architecture.md, "Decisions")`);
  process.exitCode = lint === 0 && breaking === 0 ? 0 : 1;
  if (process.exitCode === 0) console.log("proto: buf lint and buf breaking are clean");
}
