import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { systemTool } from "@toolmesh/testing";
import { stringify } from "yaml";
import { run, type RunResult } from "./helm.js";

/** promtool from Debian's prometheus package (.ci/run installs it). */
export const promtool = systemTool("promtool", {
  package: "prometheus",
  purpose: "checks the alert rules and runs their unit tests",
  versionArgs: ["--version"],
});

/**
 * Writes a `promtool test rules` file (the object given, as YAML) into a
 * temporary directory and runs it; rule_files must be absolute paths.
 */
export async function testRules(unitTests: object): Promise<RunResult> {
  const dir = mkdtempSync(join(tmpdir(), "promtool-"));
  try {
    const file = join(dir, "tests.yaml");
    writeFileSync(file, stringify(unitTests));
    return await run(promtool.binary, ["test", "rules", file]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** A series in promtool's notation: name{a="b",...}. */
export function series(name: string, labels: Record<string, string>): string {
  const pairs = Object.entries(labels)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([key, value]) => `${key}=${JSON.stringify(value)}`);
  return `${name}{${pairs.join(",")}}`;
}
