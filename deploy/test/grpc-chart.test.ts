import { beforeAll, describe, expect, test } from "vitest";
import { type K8sObject, find, ofKind, template } from "./helpers/helm.js";
import { validateObject } from "./helpers/validate.js";

// The coordinator's gRPC door in the chart (issue 10): a token required by
// default — generated when no Secret provides one — and TLS/mTLS from
// kubernetes.io/tls Secrets, the same for every gRPC client.

const GENERATED = "tm-toolmesh-grpc-token";
const COORDINATOR = "tm-toolmesh-coordinator";
const TEST_POD = "tm-toolmesh-coordinator-health-test";

/** Every container that calls the coordinator: Deployments with TOOLMESH_COORDINATOR_ADDRESS, and the helm test pod. */
function grpcClients(objects: K8sObject[]): Array<{ name: string; spec: any }> {
  const deployments = ofKind(objects, "Deployment")
    .filter((d) => envOf(d.spec.template.spec.containers[0]).has("TOOLMESH_COORDINATOR_ADDRESS"))
    .map((d) => ({ name: d.metadata.name, spec: d.spec.template.spec }));
  return [...deployments, { name: TEST_POD, spec: find(objects, "Pod", TEST_POD)!.spec }];
}

const envOf = (container: any): Map<string, any> => new Map((container.env ?? []).map((e: any) => [e.name, e]));
const podSpec = (objects: K8sObject[], name: string): any =>
  find(objects, "Deployment", name)?.spec.template.spec ?? find(objects, "Pod", name)!.spec;
const tokenRef = (spec: any): unknown => envOf(spec.containers[0]).get("TOOLMESH_GRPC_TOKEN")?.valueFrom?.secretKeyRef;

let defaults: K8sObject[];
beforeAll(async () => {
  defaults = await template();
});

describe("the gRPC token in the chart", () => {
  test("the default render generates a token Secret (32 characters) and the coordinator requires it", () => {
    const secret = find(defaults, "Secret", GENERATED)!;
    expect(secret).toBeDefined();
    expect(Buffer.from(secret.data["grpc-token"], "base64").toString()).toMatch(/^[A-Za-z0-9]{32}$/);
    // Not optional: a Secret without the key stops the pod instead of starting a coordinator without a token.
    expect(tokenRef(podSpec(defaults, COORDINATOR))).toEqual({ name: GENERATED, key: "grpc-token" });
  });

  test("every gRPC client of the coordinator gets the same token (agent, mcp-gateway, the helm test pod)", () => {
    const clients = grpcClients(defaults);
    expect(clients.map((c) => c.name).sort()).toEqual(["tm-toolmesh-agent", TEST_POD, "tm-toolmesh-mcp-gateway"].sort());
    for (const client of clients) expect(tokenRef(client.spec), client.name).toEqual({ name: GENERATED, key: "grpc-token" });
  });

  test("secrets.existingSecret provides the token: no generated Secret, everyone reads it there", async () => {
    const objects = await template({ "secrets.existingSecret": "toolmesh-creds" });
    expect(find(objects, "Secret", GENERATED)).toBeUndefined();
    for (const client of [{ name: COORDINATOR, spec: podSpec(objects, COORDINATOR) }, ...grpcClients(objects)]) {
      expect(tokenRef(client.spec), client.name).toEqual({ name: "toolmesh-creds", key: "grpc-token" });
    }
  });

  test("secrets.create with grpc-token in secrets.values provides it; without it the token is generated", async () => {
    const provided = await template({ "secrets.create": true, "secrets.values.grpc-token": "0123456789abcdef0123" });
    expect(find(provided, "Secret", GENERATED)).toBeUndefined();
    expect(tokenRef(podSpec(provided, COORDINATOR))).toEqual({ name: "tm-toolmesh", key: "grpc-token" });
    const other = await template({ "secrets.create": true, "secrets.values.llm-api-key": "k" });
    expect(find(other, "Secret", GENERATED)).toBeDefined();
    expect(tokenRef(podSpec(other, "tm-toolmesh-agent"))).toEqual({ name: GENERATED, key: "grpc-token" });
  });

  test("grpc.token.generate=false and no Secret: no token anywhere (the coordinator then warns at start-up)", async () => {
    const objects = await template({ "grpc.token.generate": false });
    expect(find(objects, "Secret", GENERATED)).toBeUndefined();
    for (const client of [{ name: COORDINATOR, spec: podSpec(objects, COORDINATOR) }, ...grpcClients(objects)])
      expect(tokenRef(client.spec), client.name).toBeUndefined();
  });
});

describe("gRPC TLS in the chart", () => {
  const TLS = { "grpc.tls.enabled": true, "grpc.tls.secretName": "coordinator-tls" };

  test("grpc.tls mounts the coordinator's Secret and sets its cert and key; readiness moves to HTTP /readyz", async () => {
    const objects = await template(TLS);
    const spec = podSpec(objects, COORDINATOR);
    const c = spec.containers[0];
    expect(spec.volumes).toContainEqual({ name: "grpc-tls", secret: { secretName: "coordinator-tls" } });
    expect(c.volumeMounts).toContainEqual({ name: "grpc-tls", mountPath: "/etc/toolmesh/grpc-tls", readOnly: true });
    const e = envOf(c);
    expect(e.get("TOOLMESH_GRPC_TLS_CERT").value).toBe("/etc/toolmesh/grpc-tls/tls.crt");
    expect(e.get("TOOLMESH_GRPC_TLS_KEY").value).toBe("/etc/toolmesh/grpc-tls/tls.key");
    expect(e.has("TOOLMESH_GRPC_TLS_CLIENT_CA")).toBe(false);
    expect(c.readinessProbe.httpGet).toEqual({ path: "/readyz", port: "metrics" });
    expect(c.readinessProbe.grpc).toBeUndefined();
    // Without TLS the kubelet's native gRPC probe stays.
    expect(podSpec(defaults, COORDINATOR).containers[0].readinessProbe.grpc).toEqual({ port: 50051 });
    for (const obj of objects) await validateObject(obj);
  });

  test("every gRPC client mounts only ca.crt of the coordinator's Secret and sets TOOLMESH_GRPC_TLS_CA (and the server name)", async () => {
    const objects = await template({ ...TLS, "grpc.tls.serverName": "coordinator.tools.example" });
    for (const client of grpcClients(objects)) {
      expect(client.spec.volumes, client.name).toContainEqual({
        name: "grpc-tls-ca",
        secret: { secretName: "coordinator-tls", items: [{ key: "ca.crt", path: "ca.crt" }] },
      });
      const c = client.spec.containers[0];
      expect(c.volumeMounts, client.name).toContainEqual({ name: "grpc-tls-ca", mountPath: "/etc/toolmesh/grpc-tls-ca", readOnly: true });
      const e = envOf(c);
      expect(e.get("TOOLMESH_GRPC_TLS_CA").value, client.name).toBe("/etc/toolmesh/grpc-tls-ca/ca.crt");
      expect(e.get("TOOLMESH_GRPC_TLS_SERVER_NAME").value, client.name).toBe("coordinator.tools.example");
      expect(e.has("TOOLMESH_GRPC_TLS_CLIENT_CERT"), client.name).toBe(false);
      expect(tokenRef(client.spec), client.name).toEqual({ name: GENERATED, key: "grpc-token" });
    }
  });

  test("grpc.tls.mutual: the coordinator requires client certificates from ca.crt; clients present clientSecretName's", async () => {
    const objects = await template({ ...TLS, "grpc.tls.mutual": true, "grpc.tls.clientSecretName": "toolmesh-client-tls" });
    expect(envOf(podSpec(objects, COORDINATOR).containers[0]).get("TOOLMESH_GRPC_TLS_CLIENT_CA").value).toBe(
      "/etc/toolmesh/grpc-tls/ca.crt",
    );
    for (const client of grpcClients(objects)) {
      expect(client.spec.volumes, client.name).toContainEqual({
        name: "grpc-client-tls",
        secret: {
          secretName: "toolmesh-client-tls",
          items: [
            { key: "tls.crt", path: "tls.crt" },
            { key: "tls.key", path: "tls.key" },
          ],
        },
      });
      const e = envOf(client.spec.containers[0]);
      expect(e.get("TOOLMESH_GRPC_TLS_CLIENT_CERT").value, client.name).toBe("/etc/toolmesh/grpc-client-tls/tls.crt");
      expect(e.get("TOOLMESH_GRPC_TLS_CLIENT_KEY").value, client.name).toBe("/etc/toolmesh/grpc-client-tls/tls.key");
    }
    for (const obj of objects) await validateObject(obj);
  });

  test("TLS values that cannot work fail the render, naming the value", async () => {
    await expect(template({ "grpc.tls.enabled": true })).rejects.toThrow(/grpc\.tls\.secretName is required with grpc\.tls\.enabled/);
    await expect(template({ ...TLS, "grpc.tls.mutual": true })).rejects.toThrow(
      /grpc\.tls\.clientSecretName is required with grpc\.tls\.mutual/,
    );
    await expect(template({ "grpc.tls.enable": true })).rejects.toThrow(/additional properties 'enable' not allowed|enable/);
  });
});
