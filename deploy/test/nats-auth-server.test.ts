import { connect, type NatsConnection } from "@nats-io/transport-node";
import { roleInboxPrefix, type NatsRole } from "@toolmesh/core";
import { startNatsServer, type NatsServerHandle } from "@toolmesh/testing";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { find, template } from "./helpers/helm.js";
import { NATS_AUTH, secretData } from "./helpers/nats-auth.js";

// The chart's NATS config is a real nats-server config, not just text: the
// rendered auth.conf runs in nats-server (the one on PATH or NATS_SERVER_BIN)
// with the rendered Secret as its environment, as the StatefulSet's envFrom
// gives it, and the server admits each role and refuses what the role may not do.

let nats: NatsServerHandle;
let logins: Record<string, string>;
const connections: NatsConnection[] = [];

async function as(role: NatsRole, password = logins[`${role}-password`]): Promise<NatsConnection> {
  const nc = await connect({
    servers: nats.url,
    user: logins[`${role}-user`],
    pass: password,
    inboxPrefix: roleInboxPrefix(role),
    reconnect: false,
  });
  connections.push(nc);
  return nc;
}

/** The server's refusal of a publish (an async -ERR), or "none" when it did not come within a flush and a grace. */
async function publishRefused(nc: NatsConnection, subject: string): Promise<string> {
  const refused = (async () => {
    for await (const status of nc.status())
      if (status.type === "error" && status.error.name === "PermissionViolationError") return status.error.message;
    return "closed";
  })();
  nc.publish(subject, "forged");
  await nc.flush();
  return Promise.race([refused, new Promise<string>((done) => setTimeout(() => done("none"), 1000))]);
}

/** The first message on `subject` for `listener` after `send` ran. */
async function delivered(listener: NatsConnection, subject: string, send: () => void): Promise<string> {
  const sub = listener.subscribe(subject, { max: 1 });
  await listener.flush();
  send();
  for await (const msg of sub) return msg.subject;
  throw new Error(`nothing on ${subject}`);
}

beforeAll(async () => {
  const objects = await template({}, [
    "--set-json",
    'mcpPools={"github":{"command":"npx"},"docs-search":{"url":"https://docs.example/mcp"}}',
  ]);
  const dir = mkdtempSync(join(tmpdir(), "toolmesh-chart-nats-"));
  const configFile = join(dir, "auth.conf");
  writeFileSync(configFile, find(objects, "ConfigMap", NATS_AUTH)!.data["auth.conf"], { mode: 0o600 });
  logins = secretData(objects);
  // The StatefulSet's envFrom: every key of the Secret becomes a variable of the server's process.
  Object.assign(process.env, logins);
  try {
    nats = await startNatsServer({ configFile, logFile: join(dir, "nats-server.log") });
  } finally {
    for (const key of Object.keys(logins)) delete process.env[key];
  }
});

afterAll(async () => {
  await Promise.all(connections.map((nc) => nc.close().catch(() => undefined)));
  await nats?.stop();
});

describe("the rendered NATS config in a real nats-server", () => {
  test("every role of the Secret logs in with its password", async () => {
    const roles = Object.keys(logins)
      .filter((k) => k.endsWith("-user"))
      .map((k) => k.slice(0, -"-user".length)) as NatsRole[];
    expect(roles).toContain("pool-mcp-docs-search");
    for (const role of roles) await expect(as(role), role).resolves.toBeDefined();
  });

  test("no login, or a wrong password, is refused at connect", async () => {
    await expect(connect({ servers: nats.url, reconnect: false })).rejects.toThrow(/Authorization Violation/);
    await expect(as("coordinator", "not-the-password")).rejects.toThrow(/Authorization Violation/);
    await expect(as("coordinator", logins["pool-web-password"])).rejects.toThrow(/Authorization Violation/);
  });

  test("a pool's worker cannot inject a task or send a command; its events reach the coordinator", async () => {
    const pool = await as("pool-mcp-github");
    expect(await publishRefused(pool, "tm.data.task.bash")).toMatch(/Permissions Violation for Publish to "tm.data.task.bash"/);
    expect(await publishRefused(pool, "tm.cmd.pool.bash.drain")).toMatch(/Permissions Violation/);
    const coordinator = await as("coordinator");
    expect(await delivered(coordinator, "tm.evt.>", () => pool.publish("tm.evt.wf1.task.started", "{}"))).toBe("tm.evt.wf1.task.started");
  });

  test("a pool cannot read another role's inbox; the observer cannot cancel; the operator drains its pool", async () => {
    const web = await as("pool-web");
    const closed = await web.subscribe("_INBOX_coordinator.>").closed;
    expect(String(closed)).toMatch(/Permissions Violation for Subscription/);
    const observer = await as("observer");
    expect(await publishRefused(observer, "tm.cmd.cancel")).toMatch(/Permissions Violation/);
    const operator = await as("operator");
    const pool = await as("pool-mcp-docs-search");
    expect(await delivered(pool, "tm.cmd.pool.mcp-docs-search.>", () => operator.publish("tm.cmd.pool.mcp-docs-search.drain"))).toBe(
      "tm.cmd.pool.mcp-docs-search.drain",
    );
  });
});
