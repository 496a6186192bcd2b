import { beforeAll, describe, expect, test } from "vitest";
import { type K8sObject, find, template } from "./helpers/helm.js";

// The MCP gateway's part of the chart: Deployment, Service (HTTP), HPA, its env and secrets.

const name = "tm-toolmesh-mcp-gateway";
const container = (d: K8sObject): any => d.spec.template.spec.containers[0];
const env = (d: K8sObject): Map<string, any> => new Map((container(d).env ?? []).map((e: any) => [e.name, e]));

let defaults: K8sObject[];
beforeAll(async () => {
  defaults = await template();
});

describe("the MCP gateway in the chart", () => {
  test("a Deployment reaching the coordinator's Service, listening on all interfaces at port 8080", () => {
    const d = find(defaults, "Deployment", name)!;
    expect(d).toBeDefined();
    const e = env(d);
    expect(e.get("TOOLMESH_COORDINATOR_ADDRESS").value).toBe("tm-toolmesh-coordinator:50051");
    expect(e.get("TOOLMESH_MCP_HOST").value).toBe("0.0.0.0");
    expect(e.get("TOOLMESH_MCP_PORT").value).toBe("8080");
    expect(e.has("TOOLMESH_MCP_ALLOWED_ORIGINS")).toBe(false);
    expect(container(d).ports).toContainEqual({ name: "http", containerPort: 8080, protocol: "TCP" });
    expect(container(d).readinessProbe.httpGet).toEqual({ path: "/readyz", port: "metrics" });
    expect(container(d).resources).toEqual({ requests: { cpu: "50m", memory: "128Mi" }, limits: { cpu: "500m", memory: "256Mi" } });
    expect(d.spec.replicas).toBeUndefined();
  });

  test("a Service with the HTTP port beside metrics, an autoscaling/v2 HPA and a PDB", () => {
    const svc = find(defaults, "Service", name)!;
    expect(svc.spec.ports.map((p: any) => [p.name, p.port])).toEqual([
      ["metrics", 9464],
      ["http", 8080],
    ]);
    const hpa = find(defaults, "HorizontalPodAutoscaler", name)!;
    expect(hpa.apiVersion).toBe("autoscaling/v2");
    expect(hpa.spec.scaleTargetRef).toEqual({ apiVersion: "apps/v1", kind: "Deployment", name });
    expect([hpa.spec.minReplicas, hpa.spec.maxReplicas]).toEqual([1, 3]);
    expect(find(defaults, "PodDisruptionBudget", name)).toBeDefined();
  });

  test("tokens from the Secret (its own key, the coordinator's as the fallback), Origins from values", async () => {
    const objects = await template({ "secrets.existingSecret": "toolmesh-creds", "mcpGateway.port": 9000 }, [
      "--set-json",
      'mcpGateway.allowedOrigins=["https://app.example.com","http://localhost:6274"]',
    ]);
    const e = env(find(objects, "Deployment", name)!);
    expect(e.get("TOOLMESH_MCP_TOKEN").valueFrom.secretKeyRef).toEqual({ name: "toolmesh-creds", key: "mcp-token", optional: true });
    // Required, not optional: the coordinator must never start without the token its clients send (grpc-chart.test.ts).
    expect(e.get("TOOLMESH_GRPC_TOKEN").valueFrom.secretKeyRef).toEqual({ name: "toolmesh-creds", key: "grpc-token" });
    expect(e.get("TOOLMESH_MCP_ALLOWED_ORIGINS").value).toBe("https://app.example.com,http://localhost:6274");
    expect(e.get("TOOLMESH_MCP_PORT").value).toBe("9000");
  });

  test("off: nothing rendered; autoscaling off: replicas set", async () => {
    const off = await template({ "mcpGateway.enabled": false });
    expect(off.filter((o) => o.metadata.name === name)).toEqual([]);
    const fixed = await template({ "mcpGateway.autoscaling.enabled": false, "mcpGateway.replicas": 2 });
    expect(find(fixed, "Deployment", name)!.spec.replicas).toBe(2);
    expect(find(fixed, "HorizontalPodAutoscaler", name)).toBeUndefined();
  });

  test("a bad Origin or port is refused by the values schema", async () => {
    await expect(template({}, ["--set-json", 'mcpGateway.allowedOrigins=["evil.example"]'])).rejects.toThrow(/allowedOrigins/);
    await expect(template({ "mcpGateway.port": 0 })).rejects.toThrow(/port/);
  });
});
