#!/usr/bin/env node
// Measures the production node_modules each image carries, with the commands
// deploy/docker/Dockerfile runs, outside Docker: the root manifests and every
// workspace's package.json in a temp dir, `npm ci --omit=dev --ignore-scripts`
// (what every image carried before: "all"), then for each service a hard-linked
// copy cut down by deploy/docker/prune-deps.mjs <service>. Packages come from
// npm's cache when it has them (--prefer-offline).
//
//   node deploy/scripts/image-deps.mjs [--json] [<service>...]
import { execFileSync } from "node:child_process";
import { cpSync, existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { prune, workspaces } from "../docker/prune-deps.mjs";

const repoRoot = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
export const SERVICES = ["coordinator", "web-search", "codebase", "bash", "agent", "mcp-gateway", "mcp-pool", "autoscaler"];

/** Bytes under dir, symlinks counted as links; `skip` (a package's nested node_modules) is counted on its own. */
function bytesUnder(dir, skip) {
  let total = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (path === skip) continue;
    total += entry.isDirectory() ? bytesUnder(path) : lstatSync(path).size;
  }
  return total;
}

/** Installed packages (name → bytes) in every node_modules of the install, workspace links left out. */
export function installed(root) {
  const packages = new Map();
  const add = (name, path) => {
    packages.set(name, (packages.get(name) ?? 0) + bytesUnder(path, join(path, "node_modules")));
    visit(join(path, "node_modules"));
  };
  const visit = (modules) => {
    if (!existsSync(modules)) return;
    for (const entry of readdirSync(modules, { withFileTypes: true })) {
      if (entry.name.startsWith(".") || !entry.isDirectory()) continue;
      const path = join(modules, entry.name);
      if (!entry.name.startsWith("@")) add(entry.name, path);
      else
        for (const s of readdirSync(path, { withFileTypes: true })) if (s.isDirectory()) add(`${entry.name}/${s.name}`, join(path, s.name));
    }
  };
  visit(join(root, "node_modules"));
  for (const dir of workspaces(root)) visit(join(root, dir, "node_modules"));
  return packages;
}

function summary(name, root) {
  const packages = installed(root);
  const bytes = [...packages.values()].reduce((a, b) => a + b, 0);
  return { image: name, bytes, packages: Object.fromEntries([...packages].sort((a, b) => b[1] - a[1])) };
}

/** The production install of the whole workspace in a temp dir (the caller removes it). */
export function productionInstall() {
  const dir = mkdtempSync(join(tmpdir(), "toolmesh-image-deps-"));
  for (const file of ["package.json", "package-lock.json", ...workspaces(repoRoot).map((w) => `${w}/package.json`)]) {
    mkdirSync(dirname(join(dir, file)), { recursive: true });
    cpSync(join(repoRoot, file), join(dir, file));
  }
  execFileSync("npm", ["ci", "--omit=dev", "--ignore-scripts", "--no-audit", "--no-fund", "--prefer-offline"], {
    cwd: dir,
    stdio: ["ignore", "ignore", "inherit"],
  });
  return dir;
}

/** Sizes of the whole production install ("all") and of each service's pruned copy. */
export function measure(services = SERVICES) {
  const all = productionInstall();
  try {
    const results = [summary("all", all)];
    for (const service of services) {
      const copy = `${all}-${service}`;
      // Hard links: a copy per service without copying the files.
      execFileSync("cp", ["-al", all, copy]);
      try {
        prune(service, copy);
        results.push(summary(service, copy));
      } finally {
        rmSync(copy, { recursive: true, force: true });
      }
    }
    return results;
  } finally {
    rmSync(all, { recursive: true, force: true });
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const args = process.argv.slice(2);
  const wanted = args.filter((a) => a !== "--json");
  const results = measure(wanted.length > 0 ? wanted : SERVICES);
  if (args.includes("--json")) {
    console.log(JSON.stringify(results, null, 2));
  } else {
    const mb = (n) => (n / 1e6).toFixed(1);
    console.log("| image | node_modules MB | packages | largest |\n|---|---:|---:|---|");
    for (const r of results) {
      const largest = Object.entries(r.packages)
        .slice(0, 3)
        .map(([name, bytes]) => `${name} ${mb(bytes)}`)
        .join(", ");
      console.log(`| ${r.image} | ${mb(r.bytes)} | ${Object.keys(r.packages).length} | ${largest} |`);
    }
  }
}
