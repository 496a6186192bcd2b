import { KubeConfig } from "@kubernetes/client-node";
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { KubernetesBackend } from "../src/backends/kubernetes.js";

/**
 * A contract test: a local HTTP server implements exactly the Kubernetes API
 * endpoints the backend calls, as the API server documents them (paths,
 * methods, patch content types, bearer auth, body shapes), and refuses
 * anything else. The backend talks to it through a real KubeConfig.
 */
const TOKEN = "test-token-0123456789";
const NAMESPACE = "toolmesh-test";
const MERGE_PATCH_TYPES = ["application/merge-patch+json", "application/strategic-merge-patch+json"];

interface Recorded {
  method: string;
  path: string;
  contentType?: string | undefined;
  body?: unknown;
}

let server: Server;
let port: number;
const recorded: Recorded[] = [];
const deployments = new Map<string, number>();
const hpas = new Map<string, { minReplicas: number; maxReplicas: number; currentReplicas: number }>();

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve) => {
    let data = "";
    req.on("data", (chunk: Buffer) => (data += chunk.toString()));
    req.on("end", () => resolve(data));
  });
}

const status = (code: number, reason: string, message: string): string =>
  JSON.stringify({ kind: "Status", apiVersion: "v1", metadata: {}, status: "Failure", message, reason, code });

beforeAll(async () => {
  server = createServer((req, res) => {
    void (async () => {
      const raw = await readBody(req);
      const path = new URL(req.url ?? "/", "http://x").pathname;
      const contentType = req.headers["content-type"]?.split(";")[0];
      recorded.push({ method: req.method ?? "", path, contentType, ...(raw ? { body: JSON.parse(raw) } : {}) });
      const send = (code: number, body: string): void => void res.writeHead(code, { "content-type": "application/json" }).end(body);
      if (req.headers.authorization !== `Bearer ${TOKEN}`) return send(401, status(401, "Unauthorized", "bad or missing bearer token"));
      const scale = new RegExp(`^/apis/apps/v1/namespaces/([^/]+)/deployments/([^/]+)/scale$`).exec(path);
      const hpa = new RegExp(`^/apis/autoscaling/v2/namespaces/([^/]+)/horizontalpodautoscalers/([^/]+)$`).exec(path);
      if (req.method === "PATCH" && !MERGE_PATCH_TYPES.includes(contentType ?? "")) {
        return send(415, status(415, "UnsupportedMediaType", `the body of the request was in an unknown format: ${String(contentType)}`));
      }
      if (scale) {
        const [, ns, name] = scale;
        if (!deployments.has(name!)) return send(404, status(404, "NotFound", `deployments.apps "${name}" not found`));
        if (req.method === "PATCH") {
          const body = JSON.parse(raw) as { spec?: { replicas?: unknown } };
          if (typeof body.spec?.replicas !== "number" || Object.keys(body).some((k) => k !== "spec"))
            return send(422, status(422, "Invalid", "expected {spec: {replicas}}"));
          deployments.set(name!, body.spec.replicas);
        } else if (req.method !== "GET") return send(405, status(405, "MethodNotAllowed", req.method ?? ""));
        return send(
          200,
          JSON.stringify({
            kind: "Scale",
            apiVersion: "autoscaling/v1",
            metadata: { name, namespace: ns },
            spec: { replicas: deployments.get(name!) },
            status: { replicas: deployments.get(name!) },
          }),
        );
      }
      if (hpa) {
        const [, ns, name] = hpa;
        const current = hpas.get(name!);
        if (!current) return send(404, status(404, "NotFound", `horizontalpodautoscalers.autoscaling "${name}" not found`));
        if (req.method === "PATCH") {
          const body = JSON.parse(raw) as { spec?: { minReplicas?: unknown; maxReplicas?: unknown } };
          const { minReplicas, maxReplicas } = body.spec ?? {};
          if (typeof minReplicas !== "number" || typeof maxReplicas !== "number" || minReplicas < 1 || minReplicas > maxReplicas) {
            return send(422, status(422, "Invalid", "spec.minReplicas must be ≥ 1 and ≤ spec.maxReplicas"));
          }
          hpas.set(name!, { ...current, minReplicas, maxReplicas });
        } else if (req.method !== "GET") return send(405, status(405, "MethodNotAllowed", req.method ?? ""));
        const h = hpas.get(name!)!;
        return send(
          200,
          JSON.stringify({
            kind: "HorizontalPodAutoscaler",
            apiVersion: "autoscaling/v2",
            metadata: { name, namespace: ns },
            spec: {
              scaleTargetRef: { apiVersion: "apps/v1", kind: "Deployment", name },
              minReplicas: h.minReplicas,
              maxReplicas: h.maxReplicas,
            },
            status: { currentReplicas: h.currentReplicas, desiredReplicas: h.currentReplicas },
          }),
        );
      }
      return send(404, status(404, "NotFound", `no such endpoint in this contract: ${req.method} ${path}`));
    })();
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  port = (server.address() as AddressInfo).port;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));
beforeEach(() => {
  recorded.length = 0;
  deployments.clear();
  hpas.clear();
  deployments.set("toolmesh-codebase", 2).set("toolmesh-web-search", 1);
  hpas.set("toolmesh-codebase", { minReplicas: 1, maxReplicas: 4, currentReplicas: 3 });
});

function kubeConfig(token = TOKEN): KubeConfig {
  const kc = new KubeConfig();
  kc.loadFromOptions({
    clusters: [{ name: "contract", server: `http://127.0.0.1:${port}`, skipTLSVerify: true }],
    users: [{ name: "autoscaler", token }],
    contexts: [{ name: "contract", cluster: "contract", user: "autoscaler", namespace: NAMESPACE }],
    currentContext: "contract",
  });
  return kc;
}

const backend = (mode: "scale" | "hpa", token?: string): KubernetesBackend =>
  new KubernetesBackend({
    kubeConfig: kubeConfig(token),
    namespace: NAMESPACE,
    prefix: "toolmesh",
    mode,
    ceiling: (pool) => (pool === "codebase" ? 8 : 2),
  });

describe("contract: Kubernetes scale and HPA endpoints", () => {
  it("scale mode reads and merge-patches the Deployment's scale subresource", async () => {
    const k8s = backend("scale");
    expect(await k8s.current("codebase")).toBe(2);
    await k8s.apply("codebase", 5);
    expect(await k8s.current("codebase")).toBe(5);
    await k8s.apply("web", 3);
    expect(deployments.get("toolmesh-web-search")).toBe(3);
    expect(recorded.slice(0, 3)).toEqual([
      { method: "GET", path: `/apis/apps/v1/namespaces/${NAMESPACE}/deployments/toolmesh-codebase/scale`, contentType: undefined },
      {
        method: "PATCH",
        path: `/apis/apps/v1/namespaces/${NAMESPACE}/deployments/toolmesh-codebase/scale`,
        contentType: "application/merge-patch+json",
        body: { spec: { replicas: 5 } },
      },
      { method: "GET", path: `/apis/apps/v1/namespaces/${NAMESPACE}/deployments/toolmesh-codebase/scale`, contentType: undefined },
    ]);
  });

  it("hpa mode reads the HPA's current replicas and moves its floor, the ceiling within the cap", async () => {
    const k8s = backend("hpa");
    expect(await k8s.current("codebase")).toBe(3);
    await k8s.apply("codebase", 5);
    expect(hpas.get("toolmesh-codebase")).toMatchObject({ minReplicas: 5, maxReplicas: 8 });
    const patch = recorded.find((r) => r.method === "PATCH")!;
    expect(patch).toEqual({
      method: "PATCH",
      path: `/apis/autoscaling/v2/namespaces/${NAMESPACE}/horizontalpodautoscalers/toolmesh-codebase`,
      contentType: "application/merge-patch+json",
      body: { spec: { minReplicas: 5, maxReplicas: 8 } },
    });
  });

  it("hpa mode keeps minReplicas ≥ 1 and maxReplicas ≥ minReplicas", async () => {
    const k8s = backend("hpa");
    await k8s.apply("codebase", 0);
    expect(hpas.get("toolmesh-codebase")).toMatchObject({ minReplicas: 1, maxReplicas: 8 });
  });

  it("hpa mode scales a pool that has no HPA (404) through its Deployment's scale subresource", async () => {
    const k8s = backend("hpa");
    expect(await k8s.current("web")).toBe(1);
    await k8s.apply("web", 2);
    expect(deployments.get("toolmesh-web-search")).toBe(2);
    expect(recorded.map((r) => `${r.method} ${r.path.split("/").slice(-2).join("/")}`)).toEqual([
      "GET horizontalpodautoscalers/toolmesh-web-search",
      "GET toolmesh-web-search/scale",
      "PATCH toolmesh-web-search/scale",
    ]);
  });

  it("a missing Deployment and a rejected token are errors, not replica counts", async () => {
    await expect(backend("scale").current("bash")).rejects.toThrow(/404|not found/i);
    await expect(backend("scale", "wrong-token-0123456789").current("codebase")).rejects.toThrow(/401|Unauthorized/i);
  });
});
