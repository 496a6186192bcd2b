import { existsSync, readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { WORKER_NODE_ARGS } from "@toolmesh/local";
import { Dockerfile } from "./helpers/dockerfile.js";
import { repoRoot } from "./helpers/helm.js";
import { workspaces } from "../docker/prune-deps.mjs";
import { SERVICES } from "../scripts/image-deps.mjs";

// Images cannot be built here (no Docker engine), so the Dockerfile is parsed
// and its stages checked: the pinned base, the layer order that lets npm ci
// cache, a pruned dependency stage and a non-root runtime target per service,
// the OCI labels, and each CMD running apps/<service>/dist/main.js. What the
// prune leaves is tested in image-deps.test.ts.

/** The images whose processes are pool workers. */
const WORKER_POOLS_IMAGES = new Set(["web-search", "codebase", "bash", "agent", "mcp-pool"]);
/** apps that are not deployed: the CLI, the test pool and the dev-only benchmark. */
const NOT_DEPLOYED = new Set(["cli", "testpool", "bench"]);

const dockerfile = Dockerfile.read();
const NODE_IMAGE = /^node:(\d+)-bookworm-slim@sha256:([0-9a-f]{64})$/;

describe("deploy/docker/Dockerfile", () => {
  test("every stage builds on one Node LTS image pinned by digest", () => {
    const image = dockerfile.args.get("NODE_IMAGE") ?? "";
    const [, major = "0"] = NODE_IMAGE.exec(image) ?? [];
    expect(image, "NODE_IMAGE is not node:<major>-bookworm-slim@sha256:<digest>").toMatch(NODE_IMAGE);
    // A supported LTS line: even, and newer than 20 (end of life 2026-04-30).
    expect(Number(major) % 2).toBe(0);
    expect(Number(major)).toBeGreaterThanOrEqual(22);
    for (const stage of dockerfile.stages.filter((s) => !dockerfile.stage(s.from))) {
      expect(stage.from, `stage ${stage.name}`).toBe("${NODE_IMAGE}");
    }
  });

  test("the manifests stage copies exactly the lockfile and every workspace's package.json", () => {
    const copies = dockerfile.own("manifests", "COPY");
    expect(copies[0]).toBe("package.json package-lock.json ./");
    expect(copies.slice(1).sort()).toEqual(
      workspaces(repoRoot)
        .map((dir) => `${dir}/package.json ${dir}/`)
        .sort(),
    );
  });

  test("the build stage installs from the manifests before it copies the sources", () => {
    const build = dockerfile.stage("build")!.instructions.map((i) => `${i.keyword} ${i.args}`);
    expect(dockerfile.stage("build")!.from).toBe("manifests");
    const at = (pattern: RegExp): number => build.findIndex((c) => pattern.test(c));
    expect(at(/^RUN .*\bnpm ci\b/)).toBeGreaterThanOrEqual(0);
    expect(at(/^COPY \. \.$/)).toBeGreaterThan(at(/^RUN .*\bnpm ci\b/));
    expect(at(/^RUN npm run build$/)).toBeGreaterThan(at(/^COPY \. \.$/));
    // Nothing but manifests reaches a stage before its npm ci.
    expect(dockerfile.own("manifests", "COPY").every((c) => /^(\S+\/)?package(-lock)?\.json( \S+)* \S+\/?$/.test(c))).toBe(true);
  });

  test("prod-deps installs the production dependencies from the manifests alone", () => {
    expect(dockerfile.stage("prod-deps")?.from).toBe("manifests");
    expect(dockerfile.own("prod-deps", "COPY")).toEqual([]);
    const install = dockerfile.own("prod-deps", "RUN").join("\n").split(/\s+/);
    for (const word of ["npm", "ci", "--omit=dev", "--ignore-scripts"]) expect(install).toContain(word);
  });

  test("every deployed app has a service here", () => {
    const apps = readdirSync(join(repoRoot, "apps")).filter(
      (a) => existsSync(join(repoRoot, "apps", a, "src/main.ts")) && !NOT_DEPLOYED.has(a),
    );
    expect(SERVICES).toEqual(expect.arrayContaining(apps));
  });

  test("the runtime base carries the OCI labels", () => {
    const labels = dockerfile.labels("runtime");
    expect(labels.get("org.opencontainers.image.source")).toMatch(/^https:\/\//);
    expect(labels.get("org.opencontainers.image.version")).toBe("${VERSION}");
    expect(labels.get("org.opencontainers.image.revision")).toBe("${REVISION}");
    expect(labels.get("org.opencontainers.image.created")).toBe("${CREATED}");
    const [, major] = NODE_IMAGE.exec(dockerfile.args.get("NODE_IMAGE") ?? "") ?? [];
    expect(labels.get("org.opencontainers.image.base.name")).toBe(`docker.io/library/node:${major}-bookworm-slim`);
    for (const arg of ["VERSION", "REVISION", "CREATED"]) {
      expect(dockerfile.own("runtime", "ARG").some((a) => a.startsWith(arg))).toBe(true);
    }
  });

  for (const service of SERVICES) {
    describe(`--target ${service}`, () => {
      test("exists, on the runtime base, not on the build stage", () => {
        expect(dockerfile.stage(service), `no stage named ${service}`).toBeDefined();
        expect(dockerfile.lineage(service).map((s) => s.name)).toEqual([service, "runtime"]);
      });

      test(`takes its node_modules from ${service}-deps: the production install cut down to apps/${service}'s closure`, () => {
        expect(dockerfile.stage(`${service}-deps`)?.from).toBe("prod-deps");
        expect(dockerfile.own(`${service}-deps`, "COPY")).toEqual(["deploy/docker/prune-deps.mjs /usr/local/lib/toolmesh/"]);
        expect(dockerfile.own(`${service}-deps`, "RUN")).toEqual([`node /usr/local/lib/toolmesh/prune-deps.mjs ${service} /src`]);
        const copies = dockerfile.own(service, "COPY");
        expect(copies).toContain(`--from=${service}-deps /src ./`);
        expect(copies).toContain(`--from=build /out/apps/${service} ./apps/${service}`);
        // Its own app only, and no other service's dependencies.
        const others = SERVICES.filter((s) => s !== service);
        expect(copies.filter((c) => others.some((o) => c.includes(`apps/${o} `) || c.includes(`${o}-deps`)))).toEqual([]);
      });

      test("has its own OCI title and description", () => {
        const labels = dockerfile.labels(service);
        expect(labels.get("org.opencontainers.image.title")).toBe(`toolmesh-${service}`);
        expect(labels.get("org.opencontainers.image.description")).toMatch(new RegExp(`^toolmesh ${service}: .{10,}`));
      });

      test("runs as a non-root USER", () => {
        const user = dockerfile.last(service, "USER");
        expect(user, "no USER").toBeDefined();
        const [uid] = user!.split(":");
        expect(uid).not.toMatch(/^(0|root)$/);
        // Numeric, so Kubernetes' runAsNonRoot can verify it.
        expect(uid).toMatch(/^[1-9][0-9]*$/);
      });

      test(`CMD runs apps/${service}/dist/main.js`, () => {
        const cmd = JSON.parse(dockerfile.last(service, "CMD")!) as string[];
        // Pool workers with the worker's Node options (libs/local WORKER_NODE_ARGS), the rest plain.
        const nodeArgs = WORKER_POOLS_IMAGES.has(service) ? WORKER_NODE_ARGS : [];
        expect(cmd).toEqual(["node", ...nodeArgs, `apps/${service}/dist/main.js`]);
      });

      test("installs only what it needs", () => {
        expect(/\bbubblewrap\b/.test(dockerfile.runs(service))).toBe(service === "bash");
        expect(/\bripgrep\b/.test(dockerfile.runs(service))).toBe(service === "codebase");
      });
    });
  }

  test("the bash image pre-creates bwrap's mount points (the root is read-only at run time)", () => {
    expect(dockerfile.runs("bash")).toMatch(/mkdir -p \/work /);
  });

  test(".dockerignore keeps node_modules, dist and .git out of the context", () => {
    const ignore = readFileSync(join(repoRoot, ".dockerignore"), "utf8").split("\n");
    for (const entry of ["**/node_modules", "**/dist", ".git"]) expect(ignore).toContain(entry);
    // deploy/ is left out, but the prune script the dependency stages COPY must be in the context.
    expect(ignore.indexOf("!deploy/docker/prune-deps.mjs")).toBeGreaterThan(ignore.indexOf("deploy"));
  });

  test("renovate.json keeps the base's digest pinned and fresh", () => {
    const config = JSON.parse(readFileSync(join(repoRoot, "renovate.json"), "utf8")) as {
      enabledManagers: string[];
      packageRules: { matchPackageNames?: string[]; pinDigests?: boolean }[];
    };
    expect(config.enabledManagers).toContain("dockerfile");
    expect(config.packageRules.some((r) => r.matchPackageNames?.includes("node") && r.pinDigests === true)).toBe(true);
  });
});
