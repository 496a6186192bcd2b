import { serveMetrics, type MetricsServer } from "@toolmesh/core";
import { testHandlers } from "@toolmesh/testpool";
import { waitFor } from "@toolmesh/testing";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { prometheusBinary, startPrometheus, type RunningPrometheus } from "../support/prometheus.js";
import { repoRoot, startStack, type TestStack } from "../support/stack.js";

// A real Prometheus scrapes a real coordinator's /metrics with the target
// labels prometheus-operator gives the chart's ServiceMonitor (its generated
// scrape config: honor_labels false; job, namespace, service, pod, container,
// endpoint from the Kubernetes objects, instance from the address;
// deploy/test/service-monitor-series.test.ts derives them from the rendered
// chart), and the dashboard's own queries must find the series.

const TARGET = {
  namespace: "tools",
  service: "tm-toolmesh-coordinator",
  pod: "tm-toolmesh-coordinator-8f7e6d5c4-m5n6p",
  container: "coordinator",
  endpoint: "metrics",
};

const dashboard = JSON.parse(readFileSync(join(repoRoot, "deploy/grafana/toolmesh-pools.json"), "utf8"));

/** A panel's queries with the service variable on "coordinator", the namespace on "All", the rate interval fixed. */
function panelExprs(title: string): string[] {
  const panel = dashboard.panels.find((p: any) => p.title === title);
  if (!panel) throw new Error(`no panel "${title}"`);
  return panel.targets.map((t: any) =>
    (t.expr as string).replaceAll("$__rate_interval", "10s").replaceAll("$service", "coordinator").replaceAll("$namespace", ".*"),
  );
}

const skip = prometheusBinary.skip;
let stack: TestStack;
let metrics: MetricsServer;
let prometheus: RunningPrometheus;

beforeAll(async () => {
  if (skip) return;
  prometheusBinary.require();
  stack = await startStack({ TOOLMESH_GRPC_TOKEN: "a-prometheus-scrape-token-of-enough-length" });
  await stack.addWorker("test", testHandlers);
  metrics = await serveMetrics(stack.coordinator.registry, 0, "127.0.0.1");
  prometheus = await startPrometheus([
    {
      job_name: "serviceMonitor/tools/tm-toolmesh-coordinator/0",
      honor_labels: false,
      scrape_interval: "1s",
      static_configs: [{ targets: [`127.0.0.1:${metrics.port}`], labels: TARGET }],
      relabel_configs: [{ target_label: "job", replacement: TARGET.service }],
    },
  ]);
});
afterAll(async () => {
  await prometheus?.stop();
  await metrics?.close();
  await stack?.stop();
});

describe.skipIf(skip)("the coordinator scraped by a real Prometheus as the chart's ServiceMonitor scrapes it", () => {
  it("stores toolmesh_service beside the target's service label, with no exported_service", async () => {
    const [series] = await waitFor(
      async () => {
        const found = await prometheus.query(`process_resident_memory_bytes{job="${TARGET.service}"}`);
        return found.length > 0 ? found : undefined;
      },
      30_000,
      "the first scrape",
    );
    expect(series!.metric).toMatchObject({ ...TARGET, job: TARGET.service, toolmesh_service: "coordinator" });
    expect(series!.metric).not.toHaveProperty("exported_service");
  });

  it("the dashboard's memory and CPU panels, service coordinator selected, find the coordinator's pod", async () => {
    const [memory] = panelExprs("Resident memory per pod");
    const [cpu] = panelExprs("CPU (cores) per pod");
    for (const expr of [memory!, cpu!]) {
      // rate() needs two scrapes.
      const found = await waitFor(
        async () => {
          const result = await prometheus.query(expr);
          return result.length > 0 ? result : undefined;
        },
        30_000,
        expr,
      );
      expect(found.map((s) => s.metric)).toEqual([{ toolmesh_service: "coordinator", pod: TARGET.pod }]);
    }
  });

  it("the dashboard's gRPC latency panel has ListTools' p50 and p99 while calls are made", async () => {
    for (const expr of panelExprs("Coordinator gRPC latency p50 / p99 by method")) {
      const found = await waitFor(
        async () => {
          // A rate needs the series in two scrapes with calls between them: keep calling.
          await stack.client.listTools();
          const result = await prometheus.query(expr);
          const listTools = result.find((s) => s.metric.grpc_method === "ListTools" && Number(s.value[1]) > 0);
          return listTools ? result : undefined;
        },
        30_000,
        expr,
      );
      // Only the Coordinator's methods: the health checks are on the server but not in this panel.
      expect(found.every((s) => s.metric.grpc_method !== "Check")).toBe(true);
    }
  });
});
