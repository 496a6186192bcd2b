import { beforeAll, describe, expect, test } from "vitest";
import { type K8sObject, find, ofKind, template } from "./helpers/helm.js";
import { validateObject } from "./helpers/validate.js";

// MCP servers as pools (mcpPools): per entry a Deployment <fullname>-mcp-<name> running
// the mcp-pool image with TOOLMESH_MCP_POOL and that entry as TOOLMESH_MCP_POOLS
// (apps/mcp-pool/src/config.ts), an HPA and a PDB, and the entry in the autoscaler's env
// (apps/autoscaler/src/config.ts) under the name its kubernetes backend scales.

const container = (d: K8sObject): any => d.spec.template.spec.containers[0];
const env = (d: K8sObject): Map<string, any> => new Map((container(d).env ?? []).map((e: any) => [e.name, e]));
const names = (d: K8sObject): string[] => (container(d).env ?? []).map((e: any) => e.name);

/** One stdio server over a mounted volume, one Streamable HTTP server with a secret header. */
const POOLS = {
  fs: {
    command: "npx",
    args: ["-y", "@modelcontextprotocol/server-filesystem", "/data"],
    env: { LOG_LEVEL: "debug", PRICE: "$5 $(HOME)", API_TOKEN: { valueFrom: { secretKeyRef: { key: "fs-token" } } } },
    cwd: "/data",
    min: 2,
    max: 6,
    minLimit: 8,
    maxLimit: 32,
    volumes: [{ name: "data", persistentVolumeClaim: { claimName: "shared-data", readOnly: true } }],
    volumeMounts: [{ name: "data", mountPath: "/data", readOnly: true }],
  },
  docs: {
    url: "http://docs.example:8080/mcp",
    headers: { "X-Team": "tools", Authorization: { valueFrom: { secretKeyRef: { name: "docs-auth", key: "header" } } } },
    image: { repository: "registry.example/mcp-docs", tag: "1.2" },
    resources: { requests: { cpu: "50m", memory: "64Mi" } },
  },
};

const withPools = (pools: unknown, sets: Record<string, string | number | boolean> = {}): Promise<K8sObject[]> =>
  template({ "secrets.existingSecret": "toolmesh-creds", ...sets }, ["--set-json", `mcpPools=${JSON.stringify(pools)}`]);

/**
 * What the kubelet does to an env value before the container starts: $(VAR) of an
 * earlier variable is replaced, $$ becomes $ (k8s.io/kubernetes third_party expansion).
 */
function expand(value: string, vars: Record<string, string>): string {
  return value.replace(/\$\$|\$\(([A-Za-z_][A-Za-z0-9_]*)\)/g, (match, name: string | undefined) =>
    name === undefined ? "$" : (vars[name] ?? match),
  );
}

let objects: K8sObject[];
beforeAll(async () => {
  objects = await withPools(POOLS);
});

describe("mcpPools in the chart", () => {
  test("none by default: no mcp-pool Deployment, no TOOLMESH_MCP_POOLS on the autoscaler", async () => {
    const defaults = await template();
    expect(ofKind(defaults, "Deployment").filter((d) => container(d).image.includes("/mcp-pool:"))).toEqual([]);
    expect(env(find(defaults, "Deployment", "tm-toolmesh-autoscaler")!).has("TOOLMESH_MCP_POOLS")).toBe(false);
  });

  test("every rendered object validates with kubernetes-models", async () => {
    for (const obj of objects) await validateObject(obj);
  });

  test("a Deployment, Service, HPA and PDB per pool, named as the autoscaler's kubernetes backend scales them", () => {
    for (const name of ["tm-toolmesh-mcp-fs", "tm-toolmesh-mcp-docs"]) {
      for (const kind of ["Deployment", "Service", "HorizontalPodAutoscaler", "PodDisruptionBudget"])
        expect(find(objects, kind, name), `${kind} ${name}`).toBeDefined();
      const d = find(objects, "Deployment", name)!;
      expect(d.spec.selector.matchLabels["app.kubernetes.io/component"]).toBe(name.replace("tm-toolmesh-", ""));
      expect(d.spec.replicas).toBeUndefined();
    }
  });

  test("the stdio pool: the mcp-pool image, TOOLMESH_MCP_POOL and only its own entry in TOOLMESH_MCP_POOLS", () => {
    const d = find(objects, "Deployment", "tm-toolmesh-mcp-fs")!;
    expect(container(d).image).toBe("ghcr.io/toolmesh/mcp-pool:0.1.0");
    const e = env(d);
    expect(e.get("TOOLMESH_MCP_POOL").value).toBe("fs");
    expect(e.get("TOOLMESH_POOL_MIN").value).toBe("8");
    expect(e.get("TOOLMESH_POOL_MAX").value).toBe("32");
    expect(e.get("HOME").value).toBe("/home/toolmesh");
    const secret = e.get("TOOLMESH_MCP_SECRET_0");
    expect(secret.valueFrom.secretKeyRef).toEqual({ name: "toolmesh-creds", key: "fs-token" });
    // A variable can only refer to one defined before it.
    expect(names(d).indexOf("TOOLMESH_MCP_SECRET_0")).toBeLessThan(names(d).indexOf("TOOLMESH_MCP_POOLS"));
    const raw = e.get("TOOLMESH_MCP_POOLS").value as string;
    expect(raw).not.toContain("s3cret");
    const pools = JSON.parse(expand(raw, { TOOLMESH_MCP_SECRET_0: "s3cret", HOME: "/home/toolmesh" }));
    expect(pools).toEqual({
      fs: {
        command: "npx",
        args: ["-y", "@modelcontextprotocol/server-filesystem", "/data"],
        env: { LOG_LEVEL: "debug", PRICE: "$5 $(HOME)", API_TOKEN: "s3cret" },
        cwd: "/data",
        min: 2,
        max: 6,
        minLimit: 8,
        maxLimit: 32,
      },
    });
  });

  test("the stdio pool mounts its volume beside a writable HOME and /tmp", () => {
    const d = find(objects, "Deployment", "tm-toolmesh-mcp-fs")!;
    expect(container(d).volumeMounts).toEqual(
      expect.arrayContaining([
        { name: "data", mountPath: "/data", readOnly: true },
        { name: "home", mountPath: "/home/toolmesh" },
        { name: "tmp", mountPath: "/tmp" },
      ]),
    );
    expect(d.spec.template.spec.volumes).toContainEqual({
      name: "data",
      persistentVolumeClaim: { claimName: "shared-data", readOnly: true },
    });
    expect(d.spec.template.spec.volumes).toContainEqual({ name: "home", emptyDir: { sizeLimit: "1Gi" } });
    expect(container(d).securityContext.readOnlyRootFilesystem).toBe(true);
    expect(d.spec.template.spec.automountServiceAccountToken).toBe(false);
    expect(container(d).startupProbe.failureThreshold * container(d).startupProbe.periodSeconds).toBe(180);
    expect(container(d).readinessProbe.httpGet).toEqual({ path: "/readyz", port: "metrics" });
    expect(container(d).resources).toEqual({ requests: { cpu: "100m", memory: "256Mi" }, limits: { cpu: "1", memory: "512Mi" } });
  });

  test("the URL pool: its own image and resources, a header from a named Secret, the defaults filled in", () => {
    const d = find(objects, "Deployment", "tm-toolmesh-mcp-docs")!;
    expect(container(d).image).toBe("registry.example/mcp-docs:1.2");
    expect(container(d).resources).toEqual({ requests: { cpu: "50m", memory: "64Mi" } });
    const e = env(d);
    expect(e.get("TOOLMESH_MCP_SECRET_0").valueFrom.secretKeyRef).toEqual({ name: "docs-auth", key: "header" });
    expect(e.has("TOOLMESH_POOL_MIN")).toBe(false);
    const pools = JSON.parse(expand(e.get("TOOLMESH_MCP_POOLS").value, { TOOLMESH_MCP_SECRET_0: "Bearer abc" }));
    expect(pools).toEqual({
      docs: { url: "http://docs.example:8080/mcp", headers: { "X-Team": "tools", Authorization: "Bearer abc" }, min: 1, max: 4 },
    });
  });

  test("HPA bounds: the entry's min and max, capped by autoscaler.maxInstances; autoscaling off: replicas = min", async () => {
    const fs = find(objects, "HorizontalPodAutoscaler", "tm-toolmesh-mcp-fs")!;
    expect(fs.spec.scaleTargetRef).toEqual({ apiVersion: "apps/v1", kind: "Deployment", name: "tm-toolmesh-mcp-fs" });
    expect([fs.spec.minReplicas, fs.spec.maxReplicas]).toEqual([2, 6]);
    expect(fs.metadata.annotations?.["toolmesh.dev/managed-bounds"]).toBe("autoscaler");
    const docs = find(objects, "HorizontalPodAutoscaler", "tm-toolmesh-mcp-docs")!;
    expect([docs.spec.minReplicas, docs.spec.maxReplicas]).toEqual([1, 4]);
    const capped = await withPools(POOLS, { "autoscaler.maxInstances": 5 });
    expect(find(capped, "HorizontalPodAutoscaler", "tm-toolmesh-mcp-fs")!.spec.maxReplicas).toBe(5);
    const off = await withPools({ fs: { ...POOLS.fs, autoscaling: { enabled: false }, podDisruptionBudget: { enabled: false } } });
    expect(find(off, "HorizontalPodAutoscaler", "tm-toolmesh-mcp-fs")).toBeUndefined();
    expect(find(off, "PodDisruptionBudget", "tm-toolmesh-mcp-fs")).toBeUndefined();
    expect(find(off, "Deployment", "tm-toolmesh-mcp-fs")!.spec.replicas).toBe(2);
  });

  test("the autoscaler manages mcp-<name> within min:max and reads each entry without its env, args or headers", () => {
    const e = env(find(objects, "Deployment", "tm-toolmesh-autoscaler")!);
    expect(e.get("TOOLMESH_AUTOSCALER_POOLS").value.split(",").sort()).toEqual(["agent", "bash", "codebase", "mcp-docs", "mcp-fs", "web"]);
    const bounds = e.get("TOOLMESH_AUTOSCALER_REPLICAS").value.split(",");
    expect(bounds).toEqual(expect.arrayContaining(["mcp-fs=2:6", "mcp-docs=1:4"]));
    expect(JSON.parse(expand(e.get("TOOLMESH_MCP_POOLS").value, {}))).toEqual({
      fs: { command: "npx", min: 2, max: 6, minLimit: 8, maxLimit: 32 },
      docs: { url: "http://docs.example:8080/mcp", min: 1, max: 4 },
    });
    expect([...e.keys()].some((k) => k.startsWith("TOOLMESH_MCP_SECRET_"))).toBe(false);
    expect(e.get("TOOLMESH_K8S_DEPLOYMENT_PREFIX").value).toBe("tm-toolmesh");
  });

  test("values the server or Kubernetes would refuse stop the render", async () => {
    // Exactly one of command and url; no unknown keys.
    await expect(withPools({ fs: { command: "npx", url: "http://x/mcp" } })).rejects.toThrow(/\/mcpPools\/fs': 'oneOf' failed/);
    await expect(withPools({ fs: {} })).rejects.toThrow(/\/mcpPools\/fs': 'oneOf' failed/);
    await expect(withPools({ fs: { command: "npx", replicas: 3 } })).rejects.toThrow(/\/mcpPools\/fs': additional properties 'replicas'/);
    // Names: DNS labels, not a native pool or tool prefix, not the gateway's Deployment name.
    await expect(withPools({ Bad_Name: { command: "npx" } })).rejects.toThrow(/invalid propertyName 'Bad_Name'/);
    await expect(withPools({ bash: { command: "npx" } })).rejects.toThrow(/invalid propertyName 'bash'/);
    await expect(withPools({ gateway: { command: "npx" } })).rejects.toThrow(/invalid propertyName 'gateway'/);
    await expect(withPools({ fs: { command: "npx", min: 5, max: 2 } })).rejects.toThrow(/min 5 > max 2/);
    await expect(withPools({ fs: { command: "npx", env: { T: { secretKeyRef: { key: "t" } } } } })).rejects.toThrow(
      /\/mcpPools\/fs\/env\/T'/,
    );
    await expect(withPools({ ["a".repeat(48)]: { command: "npx" } })).rejects.toThrow(/longer than 63/);
    await expect(
      template({}, ["--set-json", 'mcpPools={"fs":{"command":"npx","env":{"T":{"valueFrom":{"secretKeyRef":{"key":"t"}}}}}}']),
    ).rejects.toThrow(/secretKeyRef.name is required/);
  });

  test("a ServiceMonitor per MCP pool when enabled", async () => {
    const monitored = await withPools(POOLS, { "metrics.serviceMonitor.enabled": true, "metrics.assumeMonitoringCrds": true });
    expect(ofKind(monitored, "ServiceMonitor").map((m) => m.metadata.name)).toEqual(
      expect.arrayContaining(["tm-toolmesh-mcp-fs", "tm-toolmesh-mcp-docs"]),
    );
  });
});
