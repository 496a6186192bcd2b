import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { parse } from "yaml";
import { repoRoot, run } from "./helpers/helm.js";
import { promtool } from "./helpers/promtool.js";

// The alert rules through promtool itself: `check rules` (syntax, PromQL,
// templates) and `test rules` with the unit tests of deploy/prometheus/tests/,
// whose series carry the labels a ServiceMonitor scrape stores.

const RULES = join(repoRoot, "deploy/prometheus/toolmesh-alerts.yaml");
const TESTS_DIR = join(repoRoot, "deploy/prometheus/tests");
const testFiles = readdirSync(TESTS_DIR)
  .filter((f) => f.endsWith(".test.yaml"))
  .map((f) => join(TESTS_DIR, f));
const alerts: string[] = parse(readFileSync(RULES, "utf8")).groups.flatMap((g: any) => g.rules.map((r: any) => r.alert));

describe("deploy/prometheus/toolmesh-alerts.yaml under promtool", () => {
  test.skipIf(promtool.skip)("promtool check rules accepts it", async () => {
    promtool.require();
    const result = await run(promtool.binary, ["check", "rules", RULES]);
    expect(result.code, result.stdout + result.stderr).toBe(0);
    expect(result.stdout).toContain(`SUCCESS: ${alerts.length} rules found`);
  });

  test.skipIf(promtool.skip)("promtool test rules passes the unit tests", async () => {
    promtool.require();
    expect(testFiles.length).toBeGreaterThan(0);
    const result = await run(promtool.binary, ["test", "rules", ...testFiles]);
    expect(result.code, result.stdout + result.stderr).toBe(0);
  });

  // promtool compares the whole set of firing alerts at each eval_time, so a
  // case also proves that the other series in it (the negatives) stay quiet.
  test("every alert fires in some unit test", () => {
    const cases = testFiles.flatMap((f) => parse(readFileSync(f, "utf8")).tests.flatMap((t: any) => t.alert_rule_test ?? []));
    for (const alert of alerts) {
      expect(
        cases.some((c: any) => c.alertname === alert && c.exp_alerts?.length > 0),
        alert,
      ).toBe(true);
    }
  });
});
