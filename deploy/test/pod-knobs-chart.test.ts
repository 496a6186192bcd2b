import { readFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, test } from "vitest";
import { parse } from "yaml";
import { type K8sObject, chartDir, container, deployment, find, name, ofKind, template } from "./helpers/helm.js";
import { CRD_KINDS, validateObject } from "./helpers/validate.js";

// The knobs platform teams expect of a chart (the NATS, KEDA and bitnami
// charts have them): labels, annotations, extra env and volumes, priority,
// topology spread, image registry and digest, a ServiceAccount per service,
// HPA behaviour. Global values are defaults a service's own extend or replace.

const SERVICES = ["coordinator", "web-search", "codebase", "bash", "agent", "mcp-gateway", "autoscaler"];
const values = parse(readFileSync(join(chartDir, "values.yaml"), "utf8"));
const DIGEST = `sha256:${"0123456789abcdef".repeat(4)}`;

let knobs: K8sObject[];
let defaults: K8sObject[];
beforeAll(async () => {
  defaults = await template();
  knobs = await template(
    {
      "commonLabels.team": "platform",
      "podLabels.tier": "tools",
      "codebase.podLabels.tier": "code",
      "podAnnotations.owner": "sre",
      "codebase.podAnnotations.extra": "yes",
      priorityClassName: "toolmesh-default",
      "bash.priorityClassName": "toolmesh-sandbox",
      "global.imageRegistry": "mirror.example",
      "codebase.image.digest": DIGEST,
      "nats.exporter.enabled": true,
      "serviceAccount.annotations.team": "platform",
      "autoscaler.serviceAccount.annotations.iam": "scaler-role",
    },
    [
      "--set-json",
      'extraEnv=[{"name":"HTTPS_PROXY","value":"http://proxy:3128"}]',
      "--set-json",
      'codebase.extraEnv=[{"name":"ONLY_CODEBASE","value":"1"}]',
      "--set-json",
      'extraVolumes=[{"name":"ca","configMap":{"name":"corp-ca"}}]',
      "--set-json",
      'extraVolumeMounts=[{"name":"ca","mountPath":"/etc/ssl/corp","readOnly":true}]',
      "--set-json",
      'topologySpreadConstraints=[{"maxSkew":1,"topologyKey":"topology.kubernetes.io/zone","whenUnsatisfiable":"ScheduleAnyway"}]',
      "--set-json",
      'agent.topologySpreadConstraints=[{"maxSkew":2,"topologyKey":"kubernetes.io/hostname","whenUnsatisfiable":"DoNotSchedule","labelSelector":{"matchLabels":{"x":"y"}}}]',
    ],
  );
});

const pod = (objects: K8sObject[], component: string): any => deployment(objects, component).spec.template;

describe("labels and annotations", () => {
  test("commonLabels on every object of the chart and on its pods", () => {
    const own = knobs.filter((o) => o.metadata.labels?.["app.kubernetes.io/name"] === "toolmesh");
    expect(own.length).toBeGreaterThan(30);
    for (const o of own) expect(o.metadata.labels?.team, `${o.kind}/${o.metadata.name}`).toBe("platform");
    for (const s of SERVICES) expect(pod(knobs, s).metadata.labels.team, s).toBe("platform");
  });

  test("the vendored NATS takes its own: nats.commonLabels, nats.podLabels, nats.priorityClassName", async () => {
    const objects = await template({
      "nats.commonLabels.team": "platform",
      "nats.podLabels.role": "bus",
      "nats.priorityClassName": "critical",
    });
    const nats = objects.filter((o) => o.metadata.labels?.["app.kubernetes.io/name"] === "nats");
    expect(nats.map((o) => o.kind).sort()).toEqual(["Service", "Service", "StatefulSet"]);
    for (const o of nats) expect(o.metadata.labels?.team, `${o.kind}/${o.metadata.name}`).toBe("platform");
    const natsPod = find(objects, "StatefulSet", "tm-nats")!.spec.template;
    expect(natsPod.metadata.labels).toMatchObject({ team: "platform", role: "bus" });
    expect(natsPod.spec.priorityClassName).toBe("critical");
  });

  test("podLabels: the global ones, a service's over them; selector labels untouched", () => {
    expect(pod(knobs, "web-search").metadata.labels.tier).toBe("tools");
    expect(pod(knobs, "codebase").metadata.labels.tier).toBe("code");
    expect(deployment(knobs, "codebase").spec.selector.matchLabels).toEqual(deployment(defaults, "codebase").spec.selector.matchLabels);
  });

  test("podAnnotations: global and the service's, next to the scrape annotations", () => {
    const annotations = pod(knobs, "codebase").metadata.annotations;
    expect(annotations).toMatchObject({ owner: "sre", extra: "yes", "prometheus.io/scrape": "true" });
    expect(pod(knobs, "bash").metadata.annotations.extra).toBeUndefined();
  });
});

describe("pod spec", () => {
  test("extraEnv, extraVolumes and extraVolumeMounts: every pod's, then the service's", () => {
    for (const s of SERVICES) {
      const c = container(deployment(knobs, s));
      expect(c.env, s).toContainEqual({ name: "HTTPS_PROXY", value: "http://proxy:3128" });
      expect(c.volumeMounts, s).toContainEqual({ name: "ca", mountPath: "/etc/ssl/corp", readOnly: true });
      expect(pod(knobs, s).spec.volumes, s).toContainEqual({ name: "ca", configMap: { name: "corp-ca" } });
    }
    const names = container(deployment(knobs, "codebase")).env.map((e: any) => e.name);
    expect(names.indexOf("ONLY_CODEBASE")).toBeGreaterThan(names.indexOf("HTTPS_PROXY"));
    expect(container(deployment(knobs, "bash")).env.map((e: any) => e.name)).not.toContain("ONLY_CODEBASE");
  });

  test("priorityClassName: the global one, a service's instead", () => {
    expect(pod(knobs, "codebase").spec.priorityClassName).toBe("toolmesh-default");
    expect(pod(knobs, "bash").spec.priorityClassName).toBe("toolmesh-sandbox");
    expect(pod(defaults, "codebase").spec.priorityClassName).toBeUndefined();
  });

  test("topologySpreadConstraints: the service's selector filled in; a service's own list replaces the global one", () => {
    const [spread] = pod(knobs, "codebase").spec.topologySpreadConstraints;
    expect(spread).toMatchObject({ topologyKey: "topology.kubernetes.io/zone", maxSkew: 1 });
    expect(spread.labelSelector.matchLabels).toEqual(deployment(knobs, "codebase").spec.selector.matchLabels);
    expect(pod(knobs, "agent").spec.topologySpreadConstraints).toEqual([
      { maxSkew: 2, topologyKey: "kubernetes.io/hostname", whenUnsatisfiable: "DoNotSchedule", labelSelector: { matchLabels: { x: "y" } } },
    ]);
    expect(pod(defaults, "codebase").spec.topologySpreadConstraints).toBeUndefined();
  });

  test("every object still validates with these knobs on", async () => {
    for (const o of knobs.filter((o) => !CRD_KINDS.has(o.kind))) await validateObject(o);
  });
});

describe("images", () => {
  test("default: <registry>/<repository>/<service>:<appVersion>", () => {
    expect(values.image).toMatchObject({ registry: "ghcr.io", repository: "toolmesh" });
    expect(container(deployment(defaults, "codebase")).image).toBe("ghcr.io/toolmesh/codebase:0.1.0");
  });

  test("global.imageRegistry moves every image, NATS and its exporter included; a digest pins one", () => {
    for (const s of SERVICES.filter((s) => s !== "codebase"))
      expect(container(deployment(knobs, s)).image, s).toBe(`mirror.example/toolmesh/${s}:0.1.0`);
    expect(container(deployment(knobs, "codebase")).image).toBe(`mirror.example/toolmesh/codebase@${DIGEST}`);
    const nats = find(knobs, "StatefulSet", "tm-nats")!.spec.template.spec.containers;
    expect(nats.map((c: any) => c.image)).toEqual([
      `mirror.example/nats:${values.nats.image.tag}`,
      `mirror.example/natsio/prometheus-nats-exporter:${values.nats.exporter.image.tag}`,
    ]);
    expect(find(knobs, "Pod", `${name("coordinator")}-health-test`)!.spec.containers[0].image).toBe(
      "mirror.example/toolmesh/coordinator:0.1.0",
    );
  });
});

describe("a ServiceAccount per service", () => {
  test("each pod runs as its own; only the autoscaler's mounts a token", () => {
    for (const s of SERVICES) {
      const sa = find(defaults, "ServiceAccount", name(s));
      expect(sa?.automountServiceAccountToken, s).toBe(false);
      expect(pod(defaults, s).spec.serviceAccountName, s).toBe(name(s));
      expect(pod(defaults, s).spec.automountServiceAccountToken, s).toBe(s === "autoscaler");
    }
    expect(find(defaults, "RoleBinding", name("autoscaler"))!.subjects[0].name).toBe(name("autoscaler"));
    expect(ofKind(defaults, "Role").map((r) => r.metadata.name)).toEqual([name("autoscaler")]);
  });

  test("annotations: the global ones and a service's", () => {
    expect(find(knobs, "ServiceAccount", name("autoscaler"))!.metadata.annotations).toEqual({ team: "platform", iam: "scaler-role" });
    expect(find(knobs, "ServiceAccount", name("bash"))!.metadata.annotations).toEqual({ team: "platform" });
  });

  test("serviceAccount.create=false: none rendered, pods on the namespace's default or a named one", async () => {
    const objects = await template({ "serviceAccount.create": false, "autoscaler.serviceAccount.name": "scaler" });
    expect(ofKind(objects, "ServiceAccount")).toEqual([]);
    expect(pod(objects, "codebase").spec.serviceAccountName).toBeUndefined();
    expect(pod(objects, "autoscaler").spec.serviceAccountName).toBe("scaler");
    expect(find(objects, "RoleBinding", name("autoscaler"))!.subjects[0].name).toBe("scaler");
    await expect(template({ "serviceAccount.create": false })).rejects.toThrow(/the autoscaler calls the Kubernetes API/);
    // One service may opt out alone.
    const one = await template({ "bash.serviceAccount.create": false });
    expect(find(one, "ServiceAccount", name("bash"))).toBeUndefined();
    expect(find(one, "ServiceAccount", name("codebase"))).toBeDefined();
  });
});

describe("HPA behaviour", () => {
  test("every pool's HPA scales down one pod a minute after 5 quiet minutes and up at once", () => {
    for (const s of ["web-search", "codebase", "bash", "agent", "mcp-gateway"]) {
      const behavior = find(defaults, "HorizontalPodAutoscaler", name(s))!.spec.behavior;
      expect(behavior, s).toEqual(values.autoscalingBehavior);
      expect(behavior.scaleDown).toMatchObject({
        stabilizationWindowSeconds: 300,
        policies: [{ type: "Pods", value: 1, periodSeconds: 60 }],
      });
      expect(behavior.scaleUp.stabilizationWindowSeconds, s).toBe(0);
    }
  });

  test("a service's behavior replaces the default; the coordinator keeps its own (partitions move on each step)", async () => {
    const objects = await template({ "codebase.autoscaling.behavior.scaleDown.stabilizationWindowSeconds": 30 });
    expect(find(objects, "HorizontalPodAutoscaler", name("codebase"))!.spec.behavior).toEqual({
      scaleDown: { stabilizationWindowSeconds: 30 },
    });
    expect(find(defaults, "HorizontalPodAutoscaler", name("coordinator"))!.spec.behavior).toEqual(values.coordinator.autoscaling.behavior);
    const tuned = await template({ "autoscalingBehavior.scaleDown.stabilizationWindowSeconds": 600 });
    expect(find(tuned, "HorizontalPodAutoscaler", name("bash"))!.spec.behavior.scaleDown.stabilizationWindowSeconds).toBe(600);
  });
});
