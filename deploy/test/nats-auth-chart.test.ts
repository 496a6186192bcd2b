import { natsRolePermissions, roleInboxPrefix, type PoolName } from "@toolmesh/core";
import { beforeAll, describe, expect, test } from "vitest";
import { type K8sObject, find, ofKind, template } from "./helpers/helm.js";
import { NATS_AUTH, envOf, fromConf, normalize, renderedPermissions, roleNames, secretData } from "./helpers/nats-auth.js";
import { validateObject } from "./helpers/validate.js";

// NATS logins by role in the chart (issue 10): the vendored server's users and
// permissions come from one helper, which must say exactly what
// natsRolePermissions (libs/core) says for the same pools; each Deployment
// gets only its role's login.

/** Two MCP pools: one stdio, one Streamable HTTP. */
const MCP = { github: { command: "npx", args: ["-y", "gh-mcp"] }, "docs-search": { url: "https://docs.example/mcp" } };
const withMcp = (sets: Record<string, string | number | boolean> = {}) => template(sets, ["--set-json", `mcpPools=${JSON.stringify(MCP)}`]);

/** Deployment → the role whose login it must get (undefined: none). */
const ROLE_OF: Record<string, string | undefined> = {
  "tm-toolmesh-coordinator": "coordinator",
  "tm-toolmesh-web-search": "pool-web",
  "tm-toolmesh-codebase": "pool-codebase",
  "tm-toolmesh-bash": "pool-bash",
  "tm-toolmesh-agent": "pool-agent",
  "tm-toolmesh-autoscaler": "autoscaler",
  "tm-toolmesh-mcp-github": "pool-mcp-github",
  "tm-toolmesh-mcp-docs-search": "pool-mcp-docs-search",
  // The console's pools page reads the metrics bus.
  "tm-toolmesh-mcp-gateway": "observer",
};

/** Every env entry of a pod that reads a NATS credential or names NATS auth. */
function natsEnv(spec: any): Map<string, any> {
  return new Map(
    [...envOf(spec.containers[0])].filter(([name]) =>
      /^TOOLMESH_(NATS_(USER|PASSWORD|TOKEN|CREDS|INBOX_PREFIX)|AUTOSCALER_POOL_CREDENTIALS_DIR)$/.test(name),
    ),
  );
}

let defaults: K8sObject[];
let mcp: K8sObject[];
beforeAll(async () => {
  [defaults, mcp] = await Promise.all([template(), withMcp()]);
});

describe("the NATS roles the chart renders are natsRolePermissions'", () => {
  const cases: Array<[string, () => Promise<K8sObject[]> | K8sObject[], PoolName[]]> = [
    ["default values", () => defaults, ["codebase", "web", "bash", "agent"]],
    ["two MCP pools", () => mcp, ["codebase", "web", "bash", "agent", "mcp-github", "mcp-docs-search"]],
    ["bash and agent off", () => template({ "bash.enabled": false, "agent.enabled": false }), ["codebase", "web"]],
  ];
  for (const [label, render, pools] of cases) {
    test(`${label}: the same roles, and role by role the same publish, subscribe and response rules`, async () => {
      const expected = natsRolePermissions(pools);
      const rendered = renderedPermissions(await render());
      expect(roleNames(rendered)).toEqual(roleNames(expected));
      for (const [role, perms] of expected) {
        expect(normalize(fromConf(rendered.get(role))), role).toEqual(normalize(perms));
        // What renderAuthorization writes for a role that answers requests.
        if (perms.allowResponses) expect(rendered.get(role).allow_responses, role).toEqual({ max: 1, expires: "1m" });
      }
    });
  }

  test("the Secret holds a user (the role's name) and a 32-character password per role, nothing else", () => {
    const data = secretData(mcp);
    const roles = roleNames(natsRolePermissions(["codebase", "web", "bash", "agent", "mcp-github", "mcp-docs-search"]));
    expect(Object.keys(data).sort()).toEqual(roles.flatMap((r) => [`${r}-password`, `${r}-user`]).sort());
    for (const role of roles) {
      expect(data[`${role}-user`]).toBe(role);
      expect(data[`${role}-password`], role).toMatch(/^[A-Za-z][A-Za-z0-9]{31}$/);
    }
    expect(new Set(roles.map((r) => data[`${r}-password`])).size).toBe(roles.length);
  });

  test("no password is in the ConfigMap: the server reads $<role>-user / $<role>-password from its environment", () => {
    const conf: string = find(mcp, "ConfigMap", NATS_AUTH)!.data["auth.conf"];
    for (const [key, value] of Object.entries(secretData(mcp))) if (key.endsWith("-password")) expect(conf).not.toContain(value);
    expect(conf).toContain("password: $coordinator-password,");
    expect(conf).not.toMatch(/no_auth_user|default_permissions/);
  });
});

describe("who gets which login", () => {
  test("each Deployment gets only its role's user, password and inbox prefix; the MCP gateway none", () => {
    const deployments = ofKind(mcp, "Deployment");
    expect(deployments.map((d) => d.metadata.name).sort()).toEqual(Object.keys(ROLE_OF).sort());
    for (const d of deployments) {
      const role = ROLE_OF[d.metadata.name];
      const env = natsEnv(d.spec.template.spec);
      if (!role) {
        expect([...env.keys()], d.metadata.name).toEqual([]);
        continue;
      }
      expect([...env.keys()].sort(), d.metadata.name).toEqual([
        "TOOLMESH_NATS_INBOX_PREFIX",
        "TOOLMESH_NATS_PASSWORD",
        "TOOLMESH_NATS_USER",
      ]);
      expect(env.get("TOOLMESH_NATS_USER").valueFrom.secretKeyRef).toEqual({ name: NATS_AUTH, key: `${role}-user` });
      expect(env.get("TOOLMESH_NATS_PASSWORD").valueFrom.secretKeyRef).toEqual({ name: NATS_AUTH, key: `${role}-password` });
      expect(env.get("TOOLMESH_NATS_INBOX_PREFIX").value).toBe(roleInboxPrefix(role as never));
      // Nothing else of the Secret: no other role's key anywhere in the pod.
      expect(JSON.stringify(d.spec.template.spec).match(new RegExp(`"name":"${NATS_AUTH}"`, "g"))?.length, d.metadata.name).toBe(2);
    }
  });

  test("the autoscaler scales Deployments: no pool's login; the helm test pod speaks gRPC only: no NATS login", () => {
    const autoscaler = find(mcp, "Deployment", "tm-toolmesh-autoscaler")!.spec.template.spec;
    expect(JSON.stringify(autoscaler)).not.toMatch(/pool-[a-z-]+-(user|password)/);
    const testPod = find(mcp, "Pod", "tm-toolmesh-coordinator-health-test")!.spec;
    expect([...natsEnv(testPod).keys()]).toEqual([]);
  });

  test("the vendored server loads the ConfigMap with -c and its variables from the Secret", () => {
    const spec = find(defaults, "StatefulSet", "tm-nats")!.spec.template.spec;
    const c = spec.containers[0];
    expect(c.args.slice(0, 2)).toEqual(["-c", "/etc/nats-auth/auth.conf"]);
    expect(c.envFrom).toEqual([{ secretRef: { name: NATS_AUTH } }]);
    expect(c.volumeMounts).toContainEqual({ name: "auth", mountPath: "/etc/nats-auth", readOnly: true });
    expect(spec.volumes).toContainEqual({ name: "auth", configMap: { name: NATS_AUTH } });
  });

  test("every object validates with kubernetes-models", async () => {
    for (const obj of [...mcp.filter((o) => o.metadata.name.startsWith("tm-nats")), ...ofKind(mcp, "Deployment")])
      await validateObject(obj);
  });
});

describe("nats.auth values", () => {
  test("existingSecret: no generated Secret; the server and every role read the user's", async () => {
    const objects = await withMcp({ "nats.auth.existingSecret": "nats-logins" });
    expect(find(objects, "Secret", NATS_AUTH)).toBeUndefined();
    expect(find(objects, "ConfigMap", NATS_AUTH)).toBeDefined();
    expect(find(objects, "StatefulSet", "tm-nats")!.spec.template.spec.containers[0].envFrom).toEqual([
      { secretRef: { name: "nats-logins" } },
    ]);
    const bash = envOf(find(objects, "Deployment", "tm-toolmesh-mcp-github")!.spec.template.spec.containers[0]);
    expect(bash.get("TOOLMESH_NATS_PASSWORD").valueFrom.secretKeyRef).toEqual({ name: "nats-logins", key: "pool-mcp-github-password" });
  });

  test("an external NATS needs existingSecret; with it, no NATS objects and each role's login from it", async () => {
    const external = { "nats.enabled": false, "nats.url": "nats://nats.example:4222" };
    await expect(template(external)).rejects.toThrow(/nats\.auth\.existingSecret is required with nats\.enabled=false/);
    const objects = await template({ ...external, "nats.auth.existingSecret": "nats-logins" });
    expect(objects.filter((o) => o.metadata.name.startsWith("tm-nats"))).toEqual([]);
    const coordinator = envOf(find(objects, "Deployment", "tm-toolmesh-coordinator")!.spec.template.spec.containers[0]);
    expect(coordinator.get("TOOLMESH_NATS_USER").valueFrom.secretKeyRef).toEqual({ name: "nats-logins", key: "coordinator-user" });
  });

  test("type=creds (external, JWT): each pod mounts only its role's .creds file; bash hides it from the sandbox", async () => {
    const objects = await template({
      "nats.enabled": false,
      "nats.url": "nats://nats.example:4222",
      "nats.auth.existingSecret": "nats-jwt",
      "nats.auth.type": "creds",
    });
    for (const name of ["tm-toolmesh-coordinator", "tm-toolmesh-bash", "tm-toolmesh-autoscaler"]) {
      const spec = find(objects, "Deployment", name)!.spec.template.spec;
      const role = ROLE_OF[name]!;
      expect(spec.volumes).toContainEqual({
        name: "nats-creds",
        secret: { secretName: "nats-jwt", items: [{ key: `${role}.creds`, path: "nats.creds" }] },
      });
      expect(spec.containers[0].volumeMounts).toContainEqual({ name: "nats-creds", mountPath: "/etc/toolmesh/nats", readOnly: true });
      const env = natsEnv(spec);
      expect([...env.keys()].sort(), name).toEqual(["TOOLMESH_NATS_CREDS", "TOOLMESH_NATS_INBOX_PREFIX"]);
      expect(env.get("TOOLMESH_NATS_CREDS").value).toBe("/etc/toolmesh/nats/nats.creds");
    }
    expect(
      envOf(find(objects, "Deployment", "tm-toolmesh-bash")!.spec.template.spec.containers[0]).get("TOOLMESH_BASH_HIDE_PATHS").value,
    ).toBe("/etc/toolmesh");
    for (const d of ofKind(objects, "Deployment")) await validateObject(d);
    await expect(template({ "nats.auth.type": "creds" })).rejects.toThrow(/nats\.auth\.type=creds needs an external NATS/);
    await expect(template({ "nats.auth.type": "creds", "nats.auth.existingSecret": "nats-jwt" })).rejects.toThrow(
      /nats\.auth\.type=creds needs an external NATS/,
    );
  });

  test("enabled=false: no auth objects, the server open as before, no per-role env", async () => {
    const objects = await template({ "nats.auth.enabled": false });
    expect(objects.filter((o) => o.metadata.name === NATS_AUTH)).toEqual([]);
    const c = find(objects, "StatefulSet", "tm-nats")!.spec.template.spec.containers[0];
    expect(c.args).not.toContain("-c");
    expect(c.envFrom).toBeUndefined();
    for (const d of ofKind(objects, "Deployment")) expect([...natsEnv(d.spec.template.spec).keys()], d.metadata.name).toEqual([]);
  });

  test("the values schema refuses an unknown type", async () => {
    await expect(template({ "nats.auth.type": "token" })).rejects.toThrow(/type/);
  });
});
