import {
  baseConfigSchema,
  generateRoleCredentials,
  loadConfig,
  natsRolePermissions,
  poolRole,
  readRoleCredentials,
  renderAuthorization,
  roleEnv,
  writeNatsAuth,
  type PoolName,
} from "@toolmesh/core";
import { mkdtempSync, readFileSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";

const pools: PoolName[] = ["codebase", "bash", "mcp-fs"];

describe("natsRolePermissions", () => {
  const roles = natsRolePermissions(pools);

  it("has the coordinator, autoscaler, observer, operator and one role per pool", () => {
    expect([...roles.keys()].sort()).toEqual([
      "autoscaler",
      "coordinator",
      "observer",
      "operator",
      "pool-bash",
      "pool-codebase",
      "pool-mcp-fs",
    ]);
  });

  it("gives a pool its own queue only, never task injection, commands or the workflows bucket", () => {
    const bash = roles.get("pool-bash")!;
    expect(bash.publish.allow).toContain("$JS.API.CONSUMER.MSG.NEXT.TM_TASKS_BASH.workers");
    expect(bash.publish.allow).toContain("$JS.ACK.TM_TASKS_BASH.workers.>");
    expect(bash.publish.allow.filter((s) => s.includes("TM_TASKS_") && !s.includes("TM_TASKS_BASH"))).toEqual([]);
    expect(bash.publish.allow.some((s) => s.startsWith("tm.data.task") || s.startsWith("tm.cmd") || s.includes("TM_WORKFLOWS"))).toBe(
      false,
    );
    expect(bash.publish.deny).toEqual(expect.arrayContaining(["tm.data.task.>", "tm.cmd.>", "$KV.TM_WORKFLOWS.>"]));
    expect(bash.publish.allow).toContain("$KV.TM_ATTEMPTS.bash.>");
    expect(bash.publish.allow).toContain("$KV.TM_LIMITS.bash");
    expect(bash.publish.allow).toContain("tm.metrics.bash.>");
    expect(bash.publish.allow.filter((s) => s.startsWith("tm.evt"))).toEqual([
      "tm.evt.*.task.started",
      "tm.evt.*.task.progress",
      "tm.evt.pool.bash.limit",
    ]);
    expect(bash.subscribe.allow.sort()).toEqual(["_INBOX_pool-bash.>", "tm.cmd.cancel", "tm.cmd.ping", "tm.cmd.pool.bash.>"]);
    // Only a run-time pool makes its own stream; a native pool's is the coordinator's.
    expect(bash.publish.allow.some((s) => s.startsWith("$JS.API.STREAM.CREATE.TM_TASKS"))).toBe(false);
    expect(roles.get("pool-mcp-fs")!.publish.allow).toContain("$JS.API.STREAM.CREATE.TM_TASKS_MCP-FS");
  });

  it("lets an MCP pool write its own catalog keys only", () => {
    const fs = roles.get("pool-mcp-fs")!.publish.allow;
    expect(fs).toContain("$KV.TM_CATALOG.fs.>");
    expect(fs.filter((s) => s.includes("TM_CATALOG") && !s.includes(".fs.") && !s.endsWith("KV_TM_CATALOG.*"))).toEqual([
      "$JS.API.STREAM.INFO.KV_TM_CATALOG",
    ]);
    expect(roles.get("pool-codebase")!.publish.allow.some((s) => s.includes("TM_CATALOG"))).toBe(false);
  });

  it("keeps the observer read-only and gives the operator the commands", () => {
    const observer = roles.get("observer")!;
    expect(observer.publish.allow.every((s) => s.startsWith("$JS.API.") && /\.(INFO)(\.|$)/.test(s))).toBe(true);
    expect(observer.subscribe.allow).toEqual(["tm.metrics.>", "tm.evt.pool.>", "_INBOX_observer.>"]);
    const operator = roles.get("operator")!;
    expect(operator.publish.allow).toEqual(
      expect.arrayContaining(["tm.cmd.cancel", "tm.cmd.pool.bash.set-limit", "tm.cmd.pool.mcp-fs.drain"]),
    );
    expect(operator.subscribe.allow).toContain("_INBOX_operator.>");
    expect(operator.subscribe.allow.some((s) => s.startsWith("_INBOX_observer"))).toBe(false);
  });

  it("lets no role but the coordinator read results or task queues by subscription, nor another role's inbox", () => {
    for (const [role, perms] of roles) {
      for (const subject of perms.subscribe.allow) {
        if (subject.startsWith("_INBOX")) expect(subject).toBe(`_INBOX_${role}.>`);
        if (role !== "coordinator") expect(subject.startsWith("tm.data")).toBe(false);
      }
    }
  });
});

describe("renderAuthorization", () => {
  it("renders one user per role with its permissions, in nats-server's config syntax", () => {
    const roles = natsRolePermissions(["test"]);
    const logins = generateRoleCredentials(roles.keys());
    const text = renderAuthorization(roles, logins);
    expect(text.startsWith("authorization {\n  users = [\n")).toBe(true);
    expect(text.match(/\{ user: /g)).toHaveLength(roles.size);
    const test = logins.get(poolRole("test"))!;
    expect(text).toContain(`{ user: ${JSON.stringify(test.user)}, password: ${JSON.stringify(test.password)}, permissions: {`);
    expect(text).toContain('subscribe: { allow: ["tm.cmd.cancel", "tm.cmd.ping", "tm.cmd.pool.test.>", "_INBOX_pool-test.>"] }');
    expect(text).toContain('allow_responses: { max: 1, expires: "1m" }');
    expect(text).not.toContain("default_permissions");
  });

  it("refuses a role without credentials", () => {
    const roles = natsRolePermissions(["test"]);
    expect(() => renderAuthorization(roles, new Map())).toThrow(/no credentials for NATS role coordinator/);
  });
});

describe("generateRoleCredentials and writeNatsAuth", () => {
  it("makes a different random login per role and per call", () => {
    const a = generateRoleCredentials(["coordinator", "observer"]);
    const b = generateRoleCredentials(["coordinator"]);
    expect(a.get("coordinator")!.password).not.toBe(a.get("observer")!.password);
    expect(a.get("coordinator")!.password).not.toBe(b.get("coordinator")!.password);
    expect(a.get("coordinator")!.password.length).toBeGreaterThanOrEqual(32);
    expect(a.get("coordinator")!.user).toMatch(/^coordinator-[0-9a-f]{8}$/);
    expect(roleEnv(a.get("observer")!)).toEqual({
      TOOLMESH_NATS_USER: a.get("observer")!.user,
      TOOLMESH_NATS_PASSWORD: a.get("observer")!.password,
      TOOLMESH_NATS_INBOX_PREFIX: "_INBOX_observer",
    });
  });

  it("writes the config and each role's file readable by the owner only, pools' files apart", () => {
    const dir = join(mkdtempSync(join(tmpdir(), "nats-auth-")), "auth");
    const auth = writeNatsAuth(dir, ["test"]);
    expect(statSync(dir).mode & 0o777).toBe(0o700);
    expect(statSync(join(dir, "pools")).mode & 0o777).toBe(0o700);
    expect(statSync(auth.configFile).mode & 0o777).toBe(0o600);
    expect(auth.fileOf("pool-test")).toBe(join(dir, "pools", "pool-test.json"));
    for (const role of auth.credentials.keys()) {
      expect(statSync(auth.fileOf(role)).mode & 0o777).toBe(0o600);
      expect(readRoleCredentials(auth.fileOf(role))).toEqual(auth.credentials.get(role));
    }
    expect(readFileSync(auth.configFile, "utf8")).toContain(auth.credentials.get("observer")!.password);
  });
});

describe("TOOLMESH_NATS_INBOX_PREFIX", () => {
  it("takes a role's prefix and refuses wildcards or spaces, naming the variable", () => {
    expect(loadConfig("t", baseConfigSchema, { TOOLMESH_NATS_INBOX_PREFIX: "_INBOX_pool-mcp-fs" }).TOOLMESH_NATS_INBOX_PREFIX).toBe(
      "_INBOX_pool-mcp-fs",
    );
    expect(loadConfig("t", baseConfigSchema, {}).TOOLMESH_NATS_INBOX_PREFIX).toBeUndefined();
    for (const bad of ["_INBOX.>", "_INBOX.*", "a b", "a..b", ""]) {
      expect(() => loadConfig("t", baseConfigSchema, { TOOLMESH_NATS_INBOX_PREFIX: bad })).toThrow(/TOOLMESH_NATS_INBOX_PREFIX/);
    }
  });
});
