import { readFileSync, readdirSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { describe, expect, test } from "vitest";
import { parse } from "yaml";
import { chartDir, repoRoot } from "./helpers/helm.js";

// The Grafana dashboard and the alert rules may only name metrics that exist:
// toolmesh_* as declared in the TypeScript sources, process_* as prom-client's
// default metrics, kube_* from kube-state-metrics (listed here).

const TOOLMESH_SOURCES = [
  "libs/runtime/src/worker-metrics.ts",
  "apps/coordinator/src/coordinator-metrics.ts",
  "apps/autoscaler/src/autoscaler-metrics.ts",
];
const KUBE_STATE_METRICS = new Set([
  "kube_deployment_status_replicas",
  "kube_deployment_status_replicas_available",
  "kube_pod_container_resource_limits",
]);

/** Metric names declared with `name: "..."` in the sources, histograms with their series. */
function declaredMetrics(): Set<string> {
  const names = new Set<string>();
  for (const file of TOOLMESH_SOURCES) {
    const text = readFileSync(join(repoRoot, file), "utf8");
    for (const [, name] of text.matchAll(/name:\s*"([a-z_:][a-z0-9_:]*)"/g)) {
      names.add(name!);
      for (const suffix of ["_bucket", "_sum", "_count"]) names.add(name + suffix);
    }
  }
  // prom-client's default metrics (collectDefaultMetrics in libs/core/src/metrics.ts).
  const promClient = dirname(createRequire(join(repoRoot, "libs/core/package.json")).resolve("prom-client/package.json"));
  for (const file of readdirSync(join(promClient, "lib/metrics")).filter((f) => f.endsWith(".js"))) {
    const text = readFileSync(join(promClient, "lib/metrics", file), "utf8");
    for (const [, name] of text.matchAll(/'((?:process|nodejs)_[a-z0-9_]+)'/g)) names.add(name!);
  }
  for (const name of KUBE_STATE_METRICS) names.add(name);
  return names;
}

const PROMQL_WORDS = new Set([
  "sum",
  "max",
  "min",
  "avg",
  "count",
  "by",
  "on",
  "and",
  "or",
  "unless",
  "without",
  "group_left",
  "group_right",
  "ignoring",
  "rate",
  "irate",
  "increase",
  "deriv",
  "histogram_quantile",
  "label_replace",
  "offset",
  "bool",
  "abs",
  "clamp_min",
]);

/** Metric names in a PromQL expression: identifiers outside braces, strings and ranges that are not functions or keywords. */
function metricsIn(expr: string): string[] {
  const stripped = expr
    .replace(/\{[^}]*\}/g, " ")
    .replace(/"[^"]*"/g, " ")
    .replace(/\[[^\]]*\]/g, " ")
    .replace(/\bby\s*\([^)]*\)/g, " ")
    .replace(/\bon\s*\([^)]*\)/g, " ");
  return [...stripped.matchAll(/\b([a-zA-Z_:][a-zA-Z0-9_:]*)\b/g)]
    .map((m) => m[1]!)
    .filter((w) => !PROMQL_WORDS.has(w) && !/^\d/.test(w) && w.includes("_"));
}

const declared = declaredMetrics();

/** Whether a query selects, groups or joins on a label called exactly `service`. */
function readsServiceLabel(expr: string): boolean {
  if (/(?<![\w.])service\s*(=~|!~|!=|=)/.test(expr)) return true;
  return [...expr.matchAll(/\b(?:by|on|without|ignoring)\s*\(([^)]*)\)/g)].some(([, labels]) =>
    labels!.split(",").some((l) => l.trim() === "service"),
  );
}

describe("deploy/grafana/toolmesh-pools.json", () => {
  const dashboard = JSON.parse(readFileSync(join(repoRoot, "deploy/grafana/toolmesh-pools.json"), "utf8"));
  const panels: any[] = dashboard.panels.filter((p: any) => p.type !== "row");
  const exprs: string[] = panels.flatMap((p) => p.targets.map((t: any) => t.expr));

  test("parses, with a uid, a title and panels that have queries", () => {
    expect(dashboard.uid).toBe("toolmesh-pools");
    expect(panels.length).toBeGreaterThan(8);
    for (const p of panels) expect(p.targets.length, p.title).toBeGreaterThan(0);
  });

  test("importable: the Prometheus data source is the DS_PROMETHEUS input, and __requires names what the panels need", () => {
    expect(dashboard.__inputs).toEqual([expect.objectContaining({ name: "DS_PROMETHEUS", type: "datasource", pluginId: "prometheus" })]);
    const required = new Map<string, string[]>();
    for (const r of dashboard.__requires) required.set(r.type, [...(required.get(r.type) ?? []), r.id]);
    expect(required.get("grafana")).toEqual(["grafana"]);
    expect(required.get("datasource")).toEqual(["prometheus"]);
    expect(required.get("panel")!.sort()).toEqual([...new Set(panels.map((p) => p.type as string))].sort());
    // Every placeholder the importer fills is an input, and every input is used.
    const text = readFileSync(join(repoRoot, "deploy/grafana/toolmesh-pools.json"), "utf8");
    const placeholders = new Set([...text.matchAll(/\$\{(DS_[A-Z0-9_]+)\}/g)].map((m) => m[1]));
    expect([...placeholders]).toEqual(dashboard.__inputs.map((i: any) => i.name));
  });

  test("every query goes through the datasource variable, which the import binds to the input", () => {
    const variable = dashboard.templating.list.find((v: any) => v.name === "datasource");
    expect(variable).toMatchObject({ type: "datasource", query: "prometheus", current: { value: "${DS_PROMETHEUS}" } });
    const refs = [
      ...panels.map((p) => p.datasource),
      ...panels.flatMap((p) => p.targets.map((t: any) => t.datasource)),
      ...dashboard.templating.list.filter((v: any) => v.type === "query").map((v: any) => v.datasource),
    ];
    expect(refs.length).toBeGreaterThan(panels.length * 2);
    for (const ref of refs) expect(ref).toEqual({ type: "prometheus", uid: "${datasource}" });
  });

  test("the toolmesh series the sources declare are real", () => {
    for (const name of [
      "toolmesh_pool_limit",
      "toolmesh_pool_in_flight",
      "toolmesh_pool_queue_depth",
      "toolmesh_task_duration_seconds_bucket",
      "toolmesh_task_errors_total",
      "toolmesh_tasks_total",
    ]) {
      expect(declared, name).toContain(name);
    }
    expect(declared).toContain("process_cpu_user_seconds_total");
    expect(declared).toContain("process_resident_memory_bytes");
  });

  test("every panel's expr names only metrics that exist", () => {
    for (const expr of exprs) {
      const names = metricsIn(expr);
      expect(names.length, expr).toBeGreaterThan(0);
      for (const name of names) expect(declared, `${name} in ${expr}`).toContain(name);
    }
  });

  test("covers limit, in-flight, queue depth, p50/p99 latency, errors, throughput, replicas, CPU and memory", () => {
    const all = exprs.join("\n");
    for (const name of [
      "toolmesh_pool_limit",
      "toolmesh_pool_in_flight",
      "toolmesh_pool_queue_depth",
      "toolmesh_task_errors_total",
      "toolmesh_tasks_total",
      "kube_deployment_status_replicas",
      "process_cpu_user_seconds_total",
      "process_resident_memory_bytes",
    ]) {
      expect(all, name).toContain(name);
    }
    expect(all).toMatch(/histogram_quantile\(0\.5, sum by \(pool, le\) \(rate\(toolmesh_task_duration_seconds_bucket/);
    expect(all).toMatch(/histogram_quantile\(0\.99, sum by \(pool, le\) \(rate\(toolmesh_task_duration_seconds_bucket/);
    // The coordinator's gRPC latency per method (apps/coordinator/src/grpc/server-metrics.ts).
    for (const q of ["0.5", "0.99"])
      expect(all).toContain(`histogram_quantile(${q}, sum by (grpc_method, le) (rate(toolmesh_grpc_server_handling_seconds_bucket{`);
  });

  test("no query reads a label named service: under a ServiceMonitor that is the Kubernetes Service's name", () => {
    const variables: string[] = dashboard.templating.list.filter((v: any) => v.type === "query").map((v: any) => v.query.query);
    for (const expr of [...exprs, ...variables]) expect(readsServiceLabel(expr), expr).toBe(false);
    expect(exprs.join("\n")).toContain('toolmesh_service=~"$service"');
  });

  test("pool labels match the worker metrics' label names", () => {
    const workerSource = readFileSync(join(repoRoot, TOOLMESH_SOURCES[0]!), "utf8");
    for (const label of ["pool", "tool", "outcome", "code", "direction", "signal"]) expect(workerSource).toContain(`"${label}"`);
    for (const expr of exprs.filter((e) => e.includes("toolmesh_pool_") || e.includes("toolmesh_task"))) {
      for (const [, labels] of expr.matchAll(/by \(([^)]*)\)/g)) {
        for (const label of labels!.split(",").map((l) => l.trim()))
          expect(["pool", "tool", "outcome", "code", "le", "direction", "signal"], expr).toContain(label);
      }
    }
  });
});

describe("deploy/prometheus/toolmesh-alerts.yaml", () => {
  const text = readFileSync(join(repoRoot, "deploy/prometheus/toolmesh-alerts.yaml"), "utf8");
  const rules: any[] = parse(text).groups.flatMap((g: any) => g.rules);
  const byThreshold = new Map(rules.map((r) => [r.labels.threshold, r]));

  test("parses as a Prometheus rule file: alert, expr, for, labels, annotations", () => {
    expect(rules.length).toBeGreaterThanOrEqual(6);
    for (const rule of rules) {
      expect(rule.alert).toMatch(/^Toolmesh[A-Za-z]+$/);
      expect(typeof rule.expr).toBe("string");
      expect(rule.for).toMatch(/^\d+[smh]$/);
      expect(["warning", "critical"]).toContain(rule.labels.severity);
      expect(rule.annotations.summary).toBeTruthy();
    }
  });

  test("covers every seed threshold with its number", () => {
    expect(byThreshold.get("throughput-drop").expr).toMatch(/<\s*0\.8 \* sum by \(pool\) \(rate\(toolmesh_tasks_total\[1h\]\)\)/);
    expect(byThreshold.get("cpu").expr).toMatch(/>= 0\.9\s*$/);
    expect(byThreshold.get("memory").expr).toMatch(/>= 0\.85\s*$/);
    expect(byThreshold.get("error-rate").expr).toMatch(/toolmesh_task_errors_total[\s\S]*>= 0\.05\s*$/);
    expect(byThreshold.get("queue-no-replicas").expr).toMatch(/kube_deployment_status_replicas_available[\s\S]*== 0\s*$/);
    expect(byThreshold.get("coordinator-serving").expr).toMatch(/coordinator[\s\S]*< 1\s*$/);
  });

  test("no rule reads a label named service (toolmesh's is toolmesh_service)", () => {
    for (const rule of rules) expect(readsServiceLabel(rule.expr), rule.alert).toBe(false);
    expect(rules.filter((r) => r.expr.includes('toolmesh_service!=""')).map((r) => r.alert)).toEqual([
      "ToolmeshHighCpu",
      "ToolmeshHighMemory",
    ]);
  });

  test("every expr names only metrics that exist", () => {
    for (const rule of rules) {
      for (const name of metricsIn(rule.expr)) expect(declared, `${name} in ${rule.alert}`).toContain(name);
    }
  });

  test("every alert's runbook_url is a section of docs/runbooks.md in the chart's home repository", () => {
    const home: string = parse(readFileSync(join(chartDir, "Chart.yaml"), "utf8")).home;
    const runbooks = readFileSync(join(repoRoot, "docs/runbooks.md"), "utf8");
    // GitHub's heading anchors: lower case, punctuation but hyphens dropped, spaces to hyphens.
    const sections = new Map(
      runbooks
        .split(/^## /m)
        .slice(1)
        .map((section) => {
          const heading = section.slice(0, section.indexOf("\n")).trim();
          return [
            heading
              .toLowerCase()
              .replace(/[^\w\- ]/g, "")
              .replace(/ /g, "-"),
            section,
          ] as const;
        }),
    );
    for (const rule of rules) {
      const url = new URL(rule.annotations.runbook_url);
      expect(`${url.origin}${url.pathname}`, rule.alert).toBe(`${home}/blob/main/docs/runbooks.md`);
      const section = sections.get(url.hash.slice(1));
      expect(section, `${rule.alert}: no section for ${url.hash}`).toBeDefined();
      expect(section!.startsWith(`${rule.alert}\n`), url.hash).toBe(true);
      for (const part of ["**What it means.**", "**How to check.**", "**What to do.**"])
        expect(section, `${rule.alert}: ${part}`).toContain(part);
    }
    expect(sections.size).toBe(rules.length);
  });

  test("the chart's copy (rendered as the PrometheusRule) is identical", () => {
    expect(readFileSync(join(chartDir, "files/toolmesh-alerts.yaml"), "utf8")).toBe(text);
  });
});

describe("deploy/README.md", () => {
  const readme = readFileSync(join(repoRoot, "deploy/README.md"), "utf8");
  const valuesText = readFileSync(join(chartDir, "values.yaml"), "utf8");
  const reference = readme.slice(readme.indexOf("## Values reference"));
  const documented = new Set([...reference.matchAll(/^\| `([A-Za-z0-9_.]+)` \|/gm)].map((m) => m[1]!));

  function* leaves(value: unknown, path: string[]): Generator<string[]> {
    if (value !== null && typeof value === "object" && !Array.isArray(value) && Object.keys(value).length > 0) {
      for (const [key, inner] of Object.entries(value)) yield* leaves(inner, [...path, key]);
    } else yield path;
  }

  test("every value of values.yaml is in the README's reference (itself or a documented parent)", () => {
    for (const path of leaves(parse(valuesText), [])) {
      const prefixes = path.map((_, i) => path.slice(0, i + 1).join("."));
      expect(
        prefixes.some((p) => documented.has(p)),
        path.join("."),
      ).toBe(true);
    }
  });

  test("every key in the reference has a `# --` comment in values.yaml", () => {
    expect(documented.size).toBeGreaterThan(100);
    expect((valuesText.match(/^\s*# -- /gm) ?? []).length).toBe(documented.size);
  });
});
