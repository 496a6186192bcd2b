import { beforeAll, describe, expect, test } from "vitest";
import { type K8sObject, deployment, find, ofKind, template } from "./helpers/helm.js";
import { type Endpoint, allowed, podOf } from "./helpers/netpol.js";
import { validateObject } from "./helpers/validate.js";

// The rendered NetworkPolicies, evaluated connection by connection with the
// policy semantics of networking.k8s.io/v1 (helpers/netpol.ts): who may reach
// NATS, the coordinator's gRPC port, the internet, the API server, DNS.

const SERVICES = ["coordinator", "web-search", "codebase", "bash", "agent", "mcp-gateway", "autoscaler"] as const;
const INTERNET: Endpoint = { ip: "93.184.216.34" };
const METADATA: Endpoint = { ip: "169.254.169.254" };
const IN_CLUSTER_SERVICE: Endpoint = { ip: "10.96.12.7" };
const KUBE_API: Endpoint = { ip: "10.0.0.1" };
const DNS: Endpoint = { ip: "10.96.0.10" };
/** A pod of another workload in the namespace, and Prometheus in another one. */
const STRANGER: Endpoint = { labels: { app: "something-else" }, ip: "10.244.9.9" };
const PROMETHEUS: Endpoint = { labels: { app: "prometheus" }, namespace: "monitoring", ip: "10.244.8.8" };

interface Rendered {
  objects: K8sObject[];
  policies: K8sObject[];
  pods: Record<string, Endpoint>;
}

async function render(sets: Record<string, string | number | boolean> = {}, extra: string[] = []): Promise<Rendered> {
  const objects = await template(sets, extra);
  const pods: Record<string, Endpoint> = {};
  SERVICES.forEach((s, i) => (pods[s] = podOf(deployment(objects, s), `10.244.0.${i + 10}`)));
  const nats = find(objects, "StatefulSet", "tm-nats");
  if (nats) pods.nats = podOf(nats, "10.244.1.10");
  const test = find(objects, "Pod", "tm-toolmesh-coordinator-health-test")!;
  pods["helm-test"] = { labels: test.metadata.labels!, ip: "10.244.2.10" };
  return { objects, policies: ofKind(objects, "NetworkPolicy"), pods };
}

let on: Rendered;
beforeAll(async () => {
  on = await render();
});

describe("the default policy set", () => {
  test("one policy per service and one for NATS, each with both directions; all valid objects", async () => {
    expect(on.policies.map((p) => p.metadata.name).sort()).toEqual([...SERVICES.map((s) => `tm-toolmesh-${s}`), "tm-nats"].sort());
    for (const p of on.policies) {
      expect(p.spec.policyTypes, p.metadata.name).toEqual(["Ingress", "Egress"]);
      await validateObject(p);
    }
  });

  test("NATS: reachable on 4222 from every toolmesh pod that logs in to it, from nothing else", () => {
    const { policies, pods } = on;
    // The gateway too: its console's pools page logs in as the observer role.
    for (const s of SERVICES) expect(allowed(policies, pods[s]!, pods.nats!, 4222), s).toBe(true);
    expect(allowed(policies, STRANGER, pods.nats!, 4222)).toBe(false);
    expect(allowed(policies, PROMETHEUS, pods.nats!, 4222)).toBe(false);
    // Its monitor port is for scrapers; nobody else's port is open on it.
    expect(allowed(policies, PROMETHEUS, pods.nats!, 8222)).toBe(true);
    expect(allowed(policies, pods.bash!, pods.nats!, 8222)).toBe(false);
  });

  test("the internet: only the web pool (not the cluster's private ranges or the metadata address)", () => {
    const { policies, pods } = on;
    for (const s of SERVICES) expect(allowed(policies, pods[s]!, INTERNET, 80), s).toBe(s === "web-search");
    // The autoscaler's API-server ports go anywhere until networkPolicy.kubeApi.to names the server (next test).
    for (const s of SERVICES) expect(allowed(policies, pods[s]!, INTERNET, 443), s).toBe(s === "web-search" || s === "autoscaler");
    expect(allowed(policies, pods["web-search"]!, INTERNET, 8080)).toBe(true);
    expect(allowed(policies, pods["web-search"]!, METADATA, 80)).toBe(false);
    expect(allowed(policies, pods["web-search"]!, IN_CLUSTER_SERVICE, 80)).toBe(false);
    expect(allowed(policies, pods["web-search"]!, pods.coordinator!, 50051)).toBe(false);
  });

  test("bash reaches NATS and DNS, nothing else", () => {
    const { policies, pods } = on;
    expect(allowed(policies, pods.bash!, pods.nats!, 4222)).toBe(true);
    expect(allowed(policies, pods.bash!, DNS, 53, "UDP")).toBe(true);
    for (const target of [INTERNET, IN_CLUSTER_SERVICE, KUBE_API]) expect(allowed(policies, pods.bash!, target, 443)).toBe(false);
    expect(allowed(policies, pods.bash!, pods.coordinator!, 50051)).toBe(false);
    expect(allowed(policies, pods.bash!, pods.codebase!, 9464)).toBe(false);
  });

  test("DNS for every pod (UDP and TCP 53)", () => {
    for (const s of SERVICES) {
      expect(allowed(on.policies, on.pods[s]!, DNS, 53, "UDP"), s).toBe(true);
      expect(allowed(on.policies, on.pods[s]!, DNS, 53, "TCP"), s).toBe(true);
    }
    expect(allowed(on.policies, on.pods.nats!, DNS, 53, "UDP")).toBe(true);
  });

  test("the coordinator's gRPC port: its clients in the chart and, by default, any client; nothing else on it", () => {
    const { policies, pods } = on;
    for (const client of ["agent", "mcp-gateway", "helm-test"])
      expect(allowed(policies, pods[client]!, pods.coordinator!, 50051), client).toBe(true);
    expect(allowed(policies, STRANGER, pods.coordinator!, 50051)).toBe(true);
    expect(allowed(policies, STRANGER, pods.coordinator!, 8080)).toBe(false);
  });

  test("networkPolicy.grpcFrom narrows the gRPC port to the chart's clients and those peers", async () => {
    const { policies, pods } = await render({}, ["--set-json", 'networkPolicy.grpcFrom=[{"podSelector":{"matchLabels":{"app":"ci"}}}]']);
    const ci: Endpoint = { labels: { app: "ci" }, ip: "10.244.7.7" };
    expect(allowed(policies, ci, pods.coordinator!, 50051)).toBe(true);
    expect(allowed(policies, STRANGER, pods.coordinator!, 50051)).toBe(false);
    for (const client of ["agent", "mcp-gateway", "helm-test"])
      expect(allowed(policies, pods[client]!, pods.coordinator!, 50051), client).toBe(true);
  });

  test("the autoscaler alone reaches the API server's ports; networkPolicy.kubeApi.to pins them to the server", async () => {
    for (const s of SERVICES) expect(allowed(on.policies, on.pods[s]!, KUBE_API, 6443), s).toBe(s === "autoscaler");
    const pinned = await render({}, ["--set-json", 'networkPolicy.kubeApi.to=[{"ipBlock":{"cidr":"10.0.0.1/32"}}]']);
    expect(allowed(pinned.policies, pinned.pods.autoscaler!, KUBE_API, 443)).toBe(true);
    expect(allowed(pinned.policies, pinned.pods.autoscaler!, INTERNET, 443)).toBe(false);
  });

  test("metrics ports open to Prometheus in another namespace; networkPolicy.metricsFrom narrows them", async () => {
    for (const s of SERVICES) expect(allowed(on.policies, PROMETHEUS, on.pods[s]!, 9464), s).toBe(true);
    const narrowed = await render({}, [
      "--set-json",
      'networkPolicy.metricsFrom=[{"namespaceSelector":{},"podSelector":{"matchLabels":{"app":"prometheus"}}}]',
    ]);
    expect(allowed(narrowed.policies, PROMETHEUS, narrowed.pods.codebase!, 9464)).toBe(true);
    expect(allowed(narrowed.policies, STRANGER, narrowed.pods.codebase!, 9464)).toBe(false);
  });
});

describe("what changes the set", () => {
  test("an agent that calls an LLM gets the internet; one that does not, none", async () => {
    const { policies, pods } = await render({ "agent.llm.provider": "anthropic" });
    expect(allowed(policies, pods.agent!, INTERNET, 443)).toBe(true);
    expect(allowed(policies, pods.agent!, METADATA, 80)).toBe(false);
    expect(allowed(on.policies, on.pods.agent!, INTERNET, 443)).toBe(false);
  });

  test("a NATS cluster's servers reach each other's routes (6222); clients do not", async () => {
    const { policies, pods } = await render({ "nats.cluster.enabled": true });
    const peer = { ...pods.nats!, ip: "10.244.1.11" };
    expect(allowed(policies, pods.nats!, peer, 6222)).toBe(true);
    expect(allowed(policies, pods.coordinator!, peer, 6222)).toBe(false);
  });

  test("config.otlpEndpoint's port is allowed out of every pod; extraEgress adds rules", async () => {
    const collector: Endpoint = { ip: "10.96.30.30" };
    const { policies, pods } = await render({ "config.otlpEndpoint": "http://otel-collector.observability:4318" }, [
      "--set-json",
      'networkPolicy.extraEgress=[{"to":[{"ipBlock":{"cidr":"10.96.40.0/24"}}],"ports":[{"port":5432}]}]',
    ]);
    for (const s of SERVICES) expect(allowed(policies, pods[s]!, collector, 4318), s).toBe(true);
    expect(allowed(policies, pods.codebase!, { ip: "10.96.40.2" }, 5432)).toBe(true);
    expect(allowed(policies, pods.codebase!, { ip: "10.96.41.2" }, 5432)).toBe(false);
  });

  test("an MCP pool gets NATS and the internet (npx, remote servers)", async () => {
    const objects = await template({}, ["--set-json", 'mcpPools={"fs":{"command":"npx"}}']);
    const policies = ofKind(objects, "NetworkPolicy");
    const pool = podOf(find(objects, "Deployment", "tm-toolmesh-mcp-fs")!, "10.244.3.3");
    const nats = podOf(find(objects, "StatefulSet", "tm-nats")!, "10.244.1.10");
    expect(allowed(policies, pool, nats, 4222)).toBe(true);
    expect(allowed(policies, pool, INTERNET, 443)).toBe(true);
  });

  test("an external NATS: its port anywhere, or only where networkPolicy.externalNats.to says; no policy for a NATS not rendered", async () => {
    const external = { "nats.enabled": false, "nats.url": "nats://nats.example:4222", "nats.auth.enabled": false };
    const server: Endpoint = { ip: "203.0.113.5" };
    const open = await render(external);
    expect(find(open.objects, "NetworkPolicy", "tm-nats")).toBeUndefined();
    expect(allowed(open.policies, open.pods.codebase!, server, 4222)).toBe(true);
    expect(allowed(open.policies, open.pods.codebase!, server, 80)).toBe(false);
    expect(allowed(open.policies, open.pods["mcp-gateway"]!, server, 4222)).toBe(true);
    const pinned = await render(external, ["--set-json", 'networkPolicy.externalNats.to=[{"ipBlock":{"cidr":"198.51.100.0/24"}}]']);
    expect(allowed(pinned.policies, pinned.pods.codebase!, server, 4222)).toBe(false);
    expect(allowed(pinned.policies, pinned.pods.codebase!, { ip: "198.51.100.9" }, 4222)).toBe(true);
  });

  test("networkPolicy.enabled=false renders none", async () => {
    expect(ofKind(await template({ "networkPolicy.enabled": false }), "NetworkPolicy")).toEqual([]);
  });
});
