#!/usr/bin/env node
// Cuts a production install (`npm ci --omit=dev` of the whole workspace) down
// to what one service runs: the closure of apps/<service>'s dependencies,
// optional dependencies and required peers through the workspaces it uses,
// resolved in package-lock.json the way Node resolves them (a package's own
// node_modules first, then each parent's). Everything else is removed:
// packages, other workspaces' links, dangling .bin links.
//
// Why not `npm ci --workspace=apps/<service>`: npm also follows the
// workspaces' devDependencies (libs/synthesis's dev dependency on
// apps/codebase put TypeScript into the coordinator's install) and optional
// peers (the autoscaler's worker apps), measured with deploy/scripts/image-deps.mjs.
//
//   node prune-deps.mjs <service> [root]    (root: where package-lock.json is; default .)
import { existsSync, lstatSync, readFileSync, readdirSync, rmSync, statSync } from "node:fs";
import { join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const readJson = (path) => JSON.parse(readFileSync(path, "utf8"));

/** Every workspace directory (relative to root), from package.json's workspaces globs (`dir` or `dir/*`). */
export function workspaces(root) {
  const { workspaces: globs } = readJson(join(root, "package.json"));
  return globs.flatMap((glob) => {
    if (!glob.endsWith("/*")) return [glob];
    const parent = glob.slice(0, -2);
    return readdirSync(join(root, parent))
      .map((name) => `${parent}/${name}`)
      .filter((dir) => existsSync(join(root, dir, "package.json")))
      .sort();
  });
}

/** What a package needs at run time: dependencies, optional ones, and peers that are not optional. */
function runtimeNeeds(entry) {
  const optionalPeers = entry.peerDependenciesMeta ?? {};
  const peers = Object.keys(entry.peerDependencies ?? {}).filter((name) => !optionalPeers[name]?.optional);
  return [...Object.keys(entry.dependencies ?? {}), ...Object.keys(entry.optionalDependencies ?? {}), ...peers];
}

/** The lockfile key `name` resolves to from the package at `from` ("apps/x", "node_modules/a"...). */
function resolveFrom(packages, from, name) {
  for (let dir = from; ;) {
    const candidate = dir === "" ? `node_modules/${name}` : `${dir}/node_modules/${name}`;
    if (packages[candidate]) return candidate;
    if (dir === "") return undefined;
    const cut = dir.lastIndexOf("/node_modules/");
    dir = cut >= 0 ? dir.slice(0, cut) : "";
  }
}

/**
 * apps/<service>'s production closure from package-lock.json: `locations`, the
 * lockfile keys of every installed package it needs (links included), and
 * `packages`, their names, and `workspaces`, the workspace directories it uses.
 */
export function productionClosure(service, root) {
  const { packages } = readJson(join(root, "package-lock.json"));
  const locations = new Set();
  const names = new Set();
  const used = new Set();
  const visit = (location) => {
    if (locations.has(location)) return;
    locations.add(location);
    const entry = packages[location];
    if (!entry) throw new Error(`package-lock.json has no entry ${location}`);
    if (entry.link) return visit(entry.resolved);
    if (location.includes("node_modules/")) names.add(location.slice(location.lastIndexOf("node_modules/") + 13));
    else used.add(location);
    for (const need of runtimeNeeds(entry)) {
      const target = resolveFrom(packages, location, need);
      if (target) visit(target);
      // An optional dependency for another platform is not in the tree.
      else if (!entry.optionalDependencies?.[need]) throw new Error(`${location} needs ${need}, which package-lock.json does not resolve`);
    }
  };
  if (!packages[`apps/${service}`]) throw new Error(`no workspace apps/${service} in package-lock.json`);
  visit(`apps/${service}`);
  return { locations, packages: names, workspaces: used };
}

/** Package directories (lockfile-style keys) under a node_modules, scoped ones included, nested ones too. */
function installedUnder(root, modules, found = []) {
  if (!existsSync(join(root, modules))) return found;
  for (const entry of readdirSync(join(root, modules), { withFileTypes: true })) {
    if (entry.name.startsWith(".")) continue;
    const key = `${modules}/${entry.name}`;
    if (entry.name.startsWith("@") && entry.isDirectory()) {
      for (const scoped of readdirSync(join(root, key), { withFileTypes: true })) {
        found.push(`${key}/${scoped.name}`);
        // Not through a workspace link: a workspace's own node_modules is walked under its own path.
        if (scoped.isDirectory()) installedUnder(root, `${key}/${scoped.name}/node_modules`, found);
      }
    } else {
      found.push(key);
      if (entry.isDirectory()) installedUnder(root, `${key}/node_modules`, found);
    }
  }
  return found;
}

/** Removes from root's install whatever apps/<service> does not need; returns the removed keys. */
export function prune(service, root) {
  const { locations } = productionClosure(service, root);
  const removed = [];
  const modulesDirs = ["node_modules", ...workspaces(root).map((dir) => `${dir}/node_modules`)];
  for (const modules of modulesDirs) {
    for (const key of installedUnder(root, modules)) {
      if (locations.has(key) || (!existsSync(join(root, key)) && !isLink(join(root, key)))) continue;
      rmSync(join(root, key), { recursive: true, force: true });
      removed.push(key);
    }
    removeEmptyScopes(join(root, modules));
    removeDanglingBins(join(root, modules, ".bin"));
    // npm's hidden lockfile describes the install before the prune.
    rmSync(join(root, modules, ".package-lock.json"), { force: true });
  }
  return removed;
}

function isLink(path) {
  try {
    return lstatSync(path).isSymbolicLink();
  } catch {
    return false;
  }
}

function removeEmptyScopes(modules) {
  if (!existsSync(modules)) return;
  for (const entry of readdirSync(modules)) {
    const path = join(modules, entry);
    if (entry.startsWith("@") && statSync(path).isDirectory() && readdirSync(path).length === 0) rmSync(path, { recursive: true });
  }
}

function removeDanglingBins(bin) {
  if (!existsSync(bin)) return;
  for (const entry of readdirSync(bin)) {
    if (!existsSync(join(bin, entry))) rmSync(join(bin, entry), { force: true });
  }
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const [service, root = "."] = process.argv.slice(2);
  if (!service) {
    console.error("usage: prune-deps.mjs <service> [root]");
    process.exit(2);
  }
  const removed = prune(service, resolve(root));
  const kept = productionClosure(service, resolve(root)).packages.size;
  console.log(
    `prune-deps: apps/${service} keeps ${kept} packages, removed ${removed.length} from ${relative(process.cwd(), resolve(root)) || "."}`,
  );
}
