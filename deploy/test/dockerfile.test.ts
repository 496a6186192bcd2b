import { existsSync, readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { WORKER_NODE_ARGS } from "@toolmesh/local";
import { repoRoot } from "./helpers/helm.js";

// Images cannot be built here (no Docker engine), so the Dockerfile is parsed
// and its stages checked: a target per service, non-root runtime stages, and
// each CMD running apps/<service>/dist/main.js.

const SERVICES = ["coordinator", "web-search", "codebase", "bash", "agent", "mcp-gateway", "mcp-pool", "autoscaler"];
/** The images whose processes are pool workers. */
const WORKER_POOLS_IMAGES = new Set(["web-search", "codebase", "bash", "agent", "mcp-pool"]);
/** apps that are not deployed: the CLI, the test pool and the dev-only benchmark. */
const NOT_DEPLOYED = new Set(["cli", "testpool", "bench"]);

interface Instruction {
  keyword: string;
  args: string;
}
interface Stage {
  name: string;
  from: string;
  instructions: Instruction[];
}

/** Instructions of a Dockerfile: comments dropped, `\` continuations joined. */
function parseDockerfile(text: string): { args: Map<string, string>; stages: Stage[] } {
  const logical: string[] = [];
  let current = "";
  for (const raw of text.split("\n")) {
    const line = raw.trim();
    if (line.startsWith("#") || (line === "" && current === "")) continue;
    if (line.endsWith("\\")) {
      current += line.slice(0, -1) + " ";
      continue;
    }
    logical.push((current + line).trim());
    current = "";
  }
  const args = new Map<string, string>();
  const stages: Stage[] = [];
  for (const entry of logical.filter((l) => l !== "")) {
    const [, keyword = "", rest = ""] = /^(\S+)\s*(.*)$/.exec(entry) ?? [];
    const instruction = { keyword: keyword.toUpperCase(), args: rest };
    if (instruction.keyword === "FROM") {
      const match = /^(?:--platform=\S+\s+)?(\S+)(?:\s+AS\s+(\S+))?$/i.exec(rest);
      if (!match) throw new Error(`cannot parse FROM ${rest}`);
      stages.push({ from: match[1]!, name: match[2] ?? String(stages.length), instructions: [] });
    } else if (stages.length === 0 && instruction.keyword === "ARG") {
      const [name, value = ""] = rest.split("=", 2);
      args.set(name!, value);
    } else {
      stages.at(-1)?.instructions.push(instruction);
    }
  }
  return { args, stages };
}

const dockerfile = readFileSync(join(repoRoot, "deploy/docker/Dockerfile"), "utf8");
const { args, stages } = parseDockerfile(dockerfile);
const stage = (name: string): Stage | undefined => stages.find((s) => s.name === name);

/** The stage and its ancestors (FROM <stage>), nearest first. */
function lineage(name: string): Stage[] {
  const chain: Stage[] = [];
  for (let s = stage(name); s; s = stage(s.from)) chain.push(s);
  return chain;
}

/** The base image a stage finally builds on, with ARG defaults substituted. */
function baseImage(name: string): string {
  const root = lineage(name).at(-1)!;
  return root.from.replace(/\$\{(\w+)\}|\$(\w+)/g, (_, a, b) => args.get(a ?? b) ?? "");
}

function last(name: string, keyword: string): string | undefined {
  for (const s of lineage(name)) {
    const found = s.instructions.filter((i) => i.keyword === keyword).at(-1);
    if (found) return found.args;
  }
  return undefined;
}

function runs(name: string): string {
  return lineage(name)
    .flatMap((s) => s.instructions.filter((i) => i.keyword === "RUN").map((i) => i.args))
    .join("\n");
}

describe("deploy/docker/Dockerfile", () => {
  test("the build stage runs npm ci, npm run build and npm prune --omit=dev", () => {
    const build = stage("build")!;
    expect(baseImage("build")).toBe("node:20-bookworm-slim");
    const commands = build.instructions.filter((i) => i.keyword === "RUN").map((i) => i.args);
    const at = (pattern: RegExp) => commands.findIndex((c) => pattern.test(c));
    expect(at(/\bnpm ci\b/)).toBeGreaterThanOrEqual(0);
    expect(at(/\bnpm run build\b/)).toBeGreaterThan(at(/\bnpm ci\b/));
    expect(at(/\bnpm prune --omit=dev\b/)).toBeGreaterThan(at(/\bnpm run build\b/));
  });

  test("every deployed app has a service here", () => {
    const apps = readdirSync(join(repoRoot, "apps")).filter(
      (a) => existsSync(join(repoRoot, "apps", a, "src/main.ts")) && !NOT_DEPLOYED.has(a),
    );
    expect(SERVICES).toEqual(expect.arrayContaining(apps));
  });

  for (const service of SERVICES) {
    describe(`--target ${service}`, () => {
      test("exists, on node:20-bookworm-slim, not on the build stage", () => {
        expect(stage(service), `no stage named ${service}`).toBeDefined();
        expect(baseImage(service)).toBe("node:20-bookworm-slim");
        expect(lineage(service).map((s) => s.name)).not.toContain("build");
      });

      test("runs as a non-root USER", () => {
        const user = last(service, "USER");
        expect(user, "no USER").toBeDefined();
        const [uid] = user!.split(":");
        expect(uid).not.toMatch(/^(0|root)$/);
        // Numeric, so Kubernetes' runAsNonRoot can verify it.
        expect(uid).toMatch(/^[1-9][0-9]*$/);
      });

      test(`CMD runs apps/${service}/dist/main.js`, () => {
        const cmd = JSON.parse(last(service, "CMD")!) as string[];
        // Pool workers with the worker's Node options (libs/local WORKER_NODE_ARGS), the rest plain.
        const nodeArgs = WORKER_POOLS_IMAGES.has(service) ? WORKER_NODE_ARGS : [];
        expect(cmd).toEqual(["node", ...nodeArgs, `apps/${service}/dist/main.js`]);
        const copies = stage(service)!
          .instructions.filter((i) => i.keyword === "COPY")
          .map((i) => i.args);
        expect(copies.some((c) => c.includes(`apps/${service}`))).toBe(true);
      });

      test("installs only what it needs", () => {
        expect(/\bbubblewrap\b/.test(runs(service))).toBe(service === "bash");
        expect(/\bripgrep\b/.test(runs(service))).toBe(service === "codebase");
      });
    });
  }

  test("workspaces' nested node_modules reach the runtime stages (apps/web-search's undici, apps/codebase's ignore)", () => {
    const assembly = stage("build")!
      .instructions.filter((i) => i.keyword === "RUN")
      .map((i) => i.args)
      .join("\n");
    expect(assembly).toMatch(/for dir in proto libs\/\* apps\/\*/);
    expect(assembly).toMatch(/cp -r "\$dir\/node_modules" "\/out\/\$dir\/"/);
    for (const service of SERVICES) {
      const copies = stage(service)!
        .instructions.filter((i) => i.keyword === "COPY")
        .map((i) => i.args);
      expect(copies).toContain(`--from=build /out/apps/${service} ./apps/${service}`);
    }
  });

  test("the bash image pre-creates bwrap's mount points (the root is read-only at run time)", () => {
    expect(runs("bash")).toMatch(/mkdir -p \/work /);
  });

  test(".dockerignore keeps node_modules, dist and .git out of the context", () => {
    const ignore = readFileSync(join(repoRoot, ".dockerignore"), "utf8").split("\n");
    for (const entry of ["**/node_modules", "**/dist", ".git"]) expect(ignore).toContain(entry);
  });
});
