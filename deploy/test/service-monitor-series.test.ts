import { readFileSync } from "node:fs";
import { join } from "node:path";
import { SERVICE_LABEL, createRegistry } from "@toolmesh/core";
import { beforeAll, describe, expect, test } from "vitest";
import { parse } from "yaml";
import { ofKind, repoRoot, template, type K8sObject } from "./helpers/helm.js";
import { promtool, series, testRules } from "./helpers/promtool.js";

// The CPU and memory alerts must find the series that Prometheus stores when it
// scrapes a toolmesh pod through the chart's own ServiceMonitor. Those series are
// built here from the two real sides: the labels a service's /metrics exposes
// (its prom-client registry) and the target labels prometheus-operator gives a
// ServiceMonitor endpoint (job, namespace, service, endpoint, pod, container,
// instance, from the rendered Service and Deployment). Without honorLabels, an
// exposed label that a target label also names is kept as exported_<name>.

const ALERTS_FILE = join(repoRoot, "deploy/prometheus/toolmesh-alerts.yaml");
const NAMESPACE = "tools";

interface Target {
  component: string;
  container: string;
  labels: Record<string, string>;
}

const matches = (selector: Record<string, string>, labels: Record<string, string> = {}): boolean =>
  Object.entries(selector).every(([key, value]) => labels[key] === value);

/** The target labels prometheus-operator's scrape config gives each ServiceMonitor's endpoint (one pod each). */
function targetsOf(objects: K8sObject[]): Target[] {
  return ofKind(objects, "ServiceMonitor").map((monitor) => {
    const service = ofKind(objects, "Service").find((s) => matches(monitor.spec.selector.matchLabels, s.metadata.labels))!;
    const deployment = ofKind(objects, "Deployment").find((d) => matches(service.spec.selector, d.spec.template.metadata.labels))!;
    const [endpoint] = monitor.spec.endpoints as { port: string }[];
    const port = (service.spec.ports as { name: string; port: number }[]).find((p) => p.name === endpoint!.port)!;
    const container: string = deployment.spec.template.spec.containers[0].name;
    const pod = `${deployment.metadata.name}-5d8f7c9b4-x2k7q`;
    return {
      component: deployment.metadata.labels!["app.kubernetes.io/component"]!,
      container,
      labels: {
        job: service.metadata.name,
        namespace: NAMESPACE,
        service: service.metadata.name,
        endpoint: port.name,
        pod,
        container,
        instance: `10.42.0.7:${port.port}`,
      },
    };
  });
}

/** Labels of the first sample of `metric` in Prometheus text format. */
function exposedLabels(text: string, metric: string): Record<string, string> {
  const line = text.split("\n").find((l) => l.startsWith(`${metric}{`) || l.startsWith(`${metric} `));
  if (!line) throw new Error(`${metric} is not exposed`);
  const body = /^[^{ ]+\{([^}]*)\}/.exec(line)?.[1] ?? "";
  return Object.fromEntries([...body.matchAll(/([a-zA-Z_]\w*)="((?:[^"\\]|\\.)*)"/g)].map((m) => [m[1]!, m[2]!]));
}

/** What Prometheus stores with honor_labels: false (the ServiceMonitor default). */
function stored(exposed: Record<string, string>, target: Record<string, string>): Record<string, string> {
  const result: Record<string, string> = { ...target };
  for (const [key, value] of Object.entries(exposed)) result[key in target ? `exported_${key}` : key] = value;
  return result;
}

describe("the CPU and memory alerts over the series the chart's ServiceMonitor makes", () => {
  let targets: Target[];
  let exposition: Map<string, string>;
  beforeAll(async () => {
    targets = targetsOf(await template({ "metrics.serviceMonitor.enabled": true }, ["--api-versions", "monitoring.coreos.com/v1"]));
    exposition = new Map();
    // The chart names each container after the service, the name every main passes to createRegistry.
    for (const t of targets) exposition.set(t.container, await createRegistry(t.container).metrics());
  });

  test.skipIf(promtool.skip)(
    "ToolmeshHighCpu and ToolmeshHighMemory fire for every toolmesh pod, by pod and toolmesh service",
    async () => {
      promtool.require();
      expect(targets.length).toBeGreaterThanOrEqual(7);
      const rules = parse(readFileSync(ALERTS_FILE, "utf8")).groups.flatMap((g: any) => g.rules) as {
        alert: string;
        labels: Record<string, string>;
      }[];
      const input: { series: string; values: string }[] = [];
      for (const t of targets) {
        const text = exposition.get(t.container)!;
        const ksm = { job: "kube-state-metrics", namespace: NAMESPACE, pod: t.labels.pod!, container: t.container, node: "node-1" };
        // 0.9375 of a core (56.25 CPU-seconds a minute) and 960 MiB of a 1 GiB limit: both above the thresholds.
        input.push({
          series: series("process_cpu_seconds_total", stored(exposedLabels(text, "process_cpu_seconds_total"), t.labels)),
          values: "0+56.25x20",
        });
        input.push({
          series: series("process_resident_memory_bytes", stored(exposedLabels(text, "process_resident_memory_bytes"), t.labels)),
          values: `${960 * 2 ** 20}x20`,
        });
        input.push({ series: series("kube_pod_container_resource_limits", { ...ksm, resource: "cpu", unit: "core" }), values: "1x20" });
        input.push({
          series: series("kube_pod_container_resource_limits", { ...ksm, resource: "memory", unit: "byte" }),
          values: `${2 ** 30}x20`,
        });
      }
      // ALERTS{alertstate="firing"} is 1 for every alert promtool fires from the rule file, past its `for`.
      const firing = (alert: string) => ({
        expr: `ALERTS{alertname="${alert}", alertstate="firing"}`,
        eval_time: "15m",
        exp_samples: targets.map((t) => ({
          labels: series("ALERTS", {
            alertname: alert,
            alertstate: "firing",
            ...rules.find((r) => r.alert === alert)!.labels,
            namespace: NAMESPACE,
            pod: t.labels.pod!,
            [SERVICE_LABEL]: t.container,
          }),
          value: 1,
        })),
      });
      const result = await testRules({
        rule_files: [ALERTS_FILE],
        evaluation_interval: "1m",
        tests: [{ interval: "1m", input_series: input, promql_expr_test: [firing("ToolmeshHighCpu"), firing("ToolmeshHighMemory")] }],
      });
      expect(result.code, result.stdout + result.stderr).toBe(0);
    },
  );
});
