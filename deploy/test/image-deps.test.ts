import { execFile, execFileSync } from "node:child_process";
import { cpSync, existsSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, afterEach, beforeAll, describe, expect, test } from "vitest";
import { productionClosure, prune } from "../docker/prune-deps.mjs";
import { SERVICES, installed, productionInstall } from "../scripts/image-deps.mjs";
import { repoRoot } from "./helpers/helm.js";

// What each image's node_modules holds. The sets are computed from the
// workspace package.json files and package-lock.json (prune-deps.mjs), then
// the prune the Dockerfile runs is run for real on a production install in a
// temp dir, and every module of the service's workspaces is imported from the
// pruned tree: a package the prune wrongly removed fails the import.

interface LockEntry {
  dev?: boolean;
  link?: boolean;
}
const lock = JSON.parse(readFileSync(join(repoRoot, "package-lock.json"), "utf8")) as { packages: Record<string, LockEntry> };
const closures = new Map(SERVICES.map((service) => [service, productionClosure(service, repoRoot)]));
const holding = (name: string): string[] => SERVICES.filter((s) => closures.get(s)!.packages.has(name));

describe("each image's production dependencies (from the workspace manifests)", () => {
  test("the Kubernetes client only in the autoscaler, TypeScript only in codebase", () => {
    expect(holding("@kubernetes/client-node")).toEqual(["autoscaler"]);
    expect(holding("typescript")).toEqual(["codebase"]);
  });

  test("no image carries another app, a dev-only package or the test helpers", () => {
    for (const [service, closure] of closures) {
      expect(
        [...closure.workspaces].filter((w) => w.startsWith("apps/")),
        service,
      ).toEqual([`apps/${service}`]);
      expect(closure.workspaces.has("libs/testing"), service).toBe(false);
      expect(
        [...closure.locations].filter((key) => lock.packages[key]?.dev === true),
        service,
      ).toEqual([]);
      for (const dev of ["vitest", "eslint", "nx", "@bufbuild/buf", "ts-proto"])
        expect(closure.packages.has(dev), `${service}: ${dev}`).toBe(false);
    }
  });
});

describe("prune-deps.mjs on a real production install", () => {
  let install: string;
  const copies: string[] = [];

  beforeAll(() => {
    install = productionInstall();
  }, 600_000);
  // Deleting a whole install takes a while on a loaded machine.
  afterAll(() => {
    for (const dir of [...copies.splice(0), install]) if (dir) rmSync(dir, { recursive: true, force: true });
  }, 600_000);
  afterEach(() => {
    for (const dir of copies.splice(0)) rmSync(dir, { recursive: true, force: true });
  });

  /** A hard-linked copy of the install, pruned for `service`, with the built dist/ of the workspaces it uses. */
  function prunedFor(service: string): string {
    const copy = `${install}-${service}`;
    copies.push(copy);
    execFileSync("cp", ["-al", install, copy]);
    prune(service, copy);
    for (const workspace of closures.get(service)!.workspaces) {
      cpSync(join(repoRoot, workspace, "dist"), join(copy, workspace, "dist"), { recursive: true });
    }
    return copy;
  }

  /**
   * Every module of the service's workspaces' dist/ but the process entries
   * (main.js, bin/), which would start something, and the console's browser
   * bundle (web/), which runs in a page.
   */
  function modulesOf(service: string, root: string): string[] {
    return [...closures.get(service)!.workspaces].flatMap((workspace) =>
      (readdirSync(join(root, workspace, "dist"), { recursive: true }) as string[])
        .filter((f) => f.endsWith(".js") && !f.endsWith("main.js") && !f.startsWith("bin/") && !f.startsWith("web/"))
        .map((f) => join(root, workspace, "dist", f)),
    );
  }

  function importAll(files: string[]): Promise<{ code: number; stderr: string }> {
    const script = `for (const f of ${JSON.stringify(files.map((f) => pathToFileURL(f).href))}) await import(f);`;
    return new Promise((resolve) => {
      execFile(process.execPath, ["--input-type=module", "-e", script], { timeout: 120_000 }, (err, _stdout, stderr) =>
        resolve({ code: err ? 1 : 0, stderr: stderr.slice(-4000) }),
      );
    });
  }

  test("the whole install holds both large packages; it is what every image carried before", () => {
    const all = installed(install);
    expect(all.has("@kubernetes/client-node")).toBe(true);
    expect(all.has("typescript")).toBe(true);
  });

  for (const service of SERVICES) {
    test(`${service}: exactly its computed set is left, and every module of its workspaces loads from it`, async () => {
      const copy = prunedFor(service);
      expect(new Set(installed(copy).keys())).toEqual(closures.get(service)!.packages);
      // Workspace links only for the libraries it uses (its own app is run by path, not linked).
      const links = readdirSync(join(copy, "node_modules/@toolmesh")).map((name) => `@toolmesh/${name}`);
      const libraries = [...closures.get(service)!.workspaces]
        .filter((w) => w !== `apps/${service}`)
        .map((w) => (JSON.parse(readFileSync(join(repoRoot, w, "package.json"), "utf8")) as { name: string }).name);
      expect(links.sort()).toEqual(libraries.sort());
      const files = modulesOf(service, copy);
      expect(files.length).toBeGreaterThan(3);
      const result = await importAll(files);
      expect(result.stderr).not.toMatch(/ERR_MODULE_NOT_FOUND|Cannot find (module|package)/);
      expect(result.code, result.stderr).toBe(0);
    }, 180_000);
  }

  test("a module that needs a pruned package fails to load (the import check can fail)", async () => {
    const copy = prunedFor("bash");
    expect(existsSync(join(copy, "node_modules/@kubernetes/client-node"))).toBe(false);
    const probe = join(copy, "apps/bash/dist/needs-k8s.js");
    writeFileSync(probe, 'import "@kubernetes/client-node";\n');
    const result = await importAll([probe]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/ERR_MODULE_NOT_FOUND|Cannot find package/);
  }, 180_000);
});
