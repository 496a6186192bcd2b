import { readFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, test } from "vitest";
import { parse } from "yaml";
import { type K8sObject, chartDir, container, find, helm, name, ofKind, parseManifests, template } from "./helpers/helm.js";
import { CRD_KINDS, validateObject } from "./helpers/validate.js";

// values-production.yaml (the production setting deploy/README.md documents),
// the prometheus-operator objects with and without the monitoring CRDs, and
// the chart's metadata.

const PRODUCTION = ["-f", join(chartDir, "values-production.yaml")];
const MONITORING_API = ["--api-versions", "monitoring.coreos.com/v1"];
const SERVICES = ["coordinator", "web-search", "codebase", "bash", "agent", "mcp-gateway", "autoscaler"];

let production: K8sObject[];
beforeAll(async () => {
  production = await template({}, PRODUCTION);
});

describe("values-production.yaml", () => {
  test("helm lint passes with it", async () => {
    const result = await helm(["lint", chartDir, ...PRODUCTION]);
    expect(result.stdout + result.stderr).toContain("0 chart(s) failed");
  });

  test("every object validates, with the monitoring API and without it", async () => {
    const monitored = await template({}, [...PRODUCTION, ...MONITORING_API]);
    for (const o of [...production, ...monitored].filter((o) => !CRD_KINDS.has(o.kind))) await validateObject(o);
    expect(ofKind(monitored, "ServiceMonitor").length).toBe(SERVICES.length);
    expect(ofKind(monitored, "PrometheusRule").length).toBe(1);
  });

  test("three clustered NATS servers with routes through the headless Service, a server name each, spread over nodes, a PDB", () => {
    const sts = find(production, "StatefulSet", "tm-nats")!;
    expect(sts.spec.replicas).toBe(3);
    expect(sts.spec.podManagementPolicy).toBe("Parallel");
    const nats = sts.spec.template.spec.containers.find((c: any) => c.name === "nats");
    const arg = (flag: string): string => nats.args[nats.args.indexOf(flag) + 1];
    expect(arg("-n")).toBe("$(POD_NAME)");
    expect(nats.env).toContainEqual({ name: "POD_NAME", valueFrom: { fieldRef: { fieldPath: "metadata.name" } } });
    expect(arg("--cluster_name")).toBe("tm-nats");
    expect(arg("--cluster")).toBe("nats://0.0.0.0:6222");
    expect(arg("--routes").split(",")).toEqual([0, 1, 2].map((i) => `nats://tm-nats-${i}.tm-nats-headless:6222`));
    expect(sts.spec.serviceName).toBe("tm-nats-headless");
    expect(find(production, "Service", "tm-nats-headless")!.spec.ports.map((p: any) => p.port)).toContain(6222);
    expect(sts.spec.template.spec.affinity.podAntiAffinity).toBeDefined();
    expect(find(production, "PodDisruptionBudget", "tm-nats")!.spec.maxUnavailable).toBe(1);
  });

  test("every service creates its streams with 3 replicas (TOOLMESH_JS_REPLICAS in the shared ConfigMap)", () => {
    expect(find(production, "ConfigMap", "tm-toolmesh")!.data.TOOLMESH_JS_REPLICAS).toBe("3");
    const defaults = parse(readFileSync(join(chartDir, "values.yaml"), "utf8"));
    expect(defaults.config.jsReplicas).toBe(1);
  });

  test("the exporter sidecar reads the monitor port over loopback and serves nats_* on 7777, scraped by annotation and Service port", () => {
    const spec = find(production, "StatefulSet", "tm-nats")!.spec.template;
    const exporter = spec.spec.containers.find((c: any) => c.name === "exporter");
    expect(exporter.image).toMatch(/^natsio\/prometheus-nats-exporter:/);
    expect(exporter.args).toEqual(
      expect.arrayContaining(["-port=7777", "-jsz=all", "-varz", "-connz", "-routez", "http://localhost:8222/"]),
    );
    expect(exporter.ports).toEqual([{ name: "metrics", containerPort: 7777, protocol: "TCP" }]);
    expect(exporter.securityContext).toMatchObject({ readOnlyRootFilesystem: true, allowPrivilegeEscalation: false });
    expect(spec.metadata.annotations).toMatchObject({ "prometheus.io/scrape": "true", "prometheus.io/port": "7777" });
    expect(find(production, "Service", "tm-nats")!.spec.ports.map((p: any) => p.name)).toContain("metrics");
  });

  test("pods spread over zones", () => {
    const spread = find(production, "Deployment", name("codebase"))!.spec.template.spec.topologySpreadConstraints;
    expect(spread[0]).toMatchObject({ topologyKey: "topology.kubernetes.io/zone", whenUnsatisfiable: "ScheduleAnyway" });
  });

  test("without it: one NATS server, no exporter, no PDB for it", async () => {
    const objects = await template();
    const sts = find(objects, "StatefulSet", "tm-nats")!;
    expect(sts.spec.replicas).toBe(1);
    expect(sts.spec.template.spec.containers.map((c: any) => c.name)).toEqual(["nats"]);
    expect(container(sts).args).not.toContain("--routes");
    expect(find(objects, "PodDisruptionBudget", "tm-nats")).toBeUndefined();
  });

  test("more stream replicas than NATS servers is refused, naming the fix", async () => {
    await expect(template({ "config.jsReplicas": 3 })).rejects.toThrow(
      /config.jsReplicas=3 needs at least 3 NATS servers, the vendored NATS runs 1/,
    );
    await expect(template({ "config.jsReplicas": 5 }, PRODUCTION)).rejects.toThrow(
      /needs at least 5 NATS servers, the vendored NATS runs 3/,
    );
    // An external NATS: the chart cannot count its servers.
    const external = await template({
      "config.jsReplicas": 3,
      "nats.enabled": false,
      "nats.url": "nats://n:4222",
      "nats.auth.enabled": false,
    });
    expect(find(external, "ConfigMap", "tm-toolmesh")!.data.TOOLMESH_JS_REPLICAS).toBe("3");
  });
});

describe("without the monitoring CRDs", () => {
  const ENABLED = { "metrics.serviceMonitor.enabled": true, "metrics.prometheusRule.enabled": true };

  test("enabled but the cluster does not serve monitoring.coreos.com/v1: neither kind is rendered, the rest is", async () => {
    const objects = await template(ENABLED);
    expect(ofKind(objects, "ServiceMonitor")).toEqual([]);
    expect(ofKind(objects, "PrometheusRule")).toEqual([]);
    expect(ofKind(objects, "Deployment").length).toBe(SERVICES.length);
  });

  test("with the API (helm template --api-versions, or a cluster that has the CRDs) both are rendered", async () => {
    const objects = await template(ENABLED, MONITORING_API);
    expect(
      ofKind(objects, "ServiceMonitor")
        .map((m) => m.metadata.name)
        .sort(),
    ).toEqual(SERVICES.map(name).sort());
    expect(ofKind(objects, "PrometheusRule").map((r) => r.metadata.name)).toEqual(["tm-toolmesh"]);
  });

  test("metrics.assumeMonitoringCrds forces them without the API", async () => {
    const objects = await template({ ...ENABLED, "metrics.assumeMonitoringCrds": true });
    expect(ofKind(objects, "ServiceMonitor").length).toBe(SERVICES.length);
    expect(ofKind(objects, "PrometheusRule").length).toBe(1);
  });

  test("an install's notes say why they are missing", async () => {
    const args = ["install", "tm", chartDir, "--namespace", "tools", "--dry-run=client", "--set", "metrics.serviceMonitor.enabled=true"];
    const without = await helm(args);
    expect(without.code).toBe(0);
    expect(without.stdout).toMatch(/does not serve\s+monitoring\.coreos\.com\/v1/);
    expect(parseManifests(without.stdout.slice(0, without.stdout.indexOf("NOTES:"))).filter((o) => o.kind === "ServiceMonitor")).toEqual(
      [],
    );
    const withApi = await helm([...args, ...MONITORING_API]);
    expect(withApi.stdout).not.toMatch(/does not serve/);
  });
});

describe("Chart.yaml", () => {
  const chart = parse(readFileSync(join(chartDir, "Chart.yaml"), "utf8"));

  test("icon, home, sources, maintainers, keywords and kubeVersion", () => {
    expect(chart.icon).toMatch(/^https:\/\/.+\.svg$/);
    expect(chart.home).toMatch(/^https:\/\//);
    expect(chart.sources.length).toBeGreaterThan(0);
    expect(chart.maintainers[0]).toMatchObject({ name: expect.any(String), url: expect.stringMatching(/^https:\/\//) });
    expect(chart.keywords).toEqual(expect.arrayContaining(["nats", "grpc", "mcp"]));
    expect(chart.kubeVersion).toBe(">=1.30.0-0");
  });

  test("the icon it names is in the repository, and helm lint no longer asks for one", async () => {
    const path = new URL(chart.icon).pathname.split("/main/")[1]!;
    expect(readFileSync(join(chartDir, "../../..", path), "utf8")).toContain("<svg");
    const lint = await helm(["lint", chartDir]);
    expect(lint.stdout).not.toContain("icon is recommended");
  });
});
