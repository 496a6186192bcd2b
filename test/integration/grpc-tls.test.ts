import { status } from "@grpc/grpc-js";
import { WorkflowState } from "@toolmesh/proto";
import { ToolmeshClient, loadClientTls, plaintextTokenWarning, type ClientTlsOptions } from "@toolmesh/client";
import { startTestNats, waitFor, type NatsServerHandle } from "@toolmesh/testing";
import type { ChildProcess } from "node:child_process";
import { once } from "node:events";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makeTestPki, type TestPki } from "../support/certificates.js";
import { runCli } from "../support/cli-process.js";
import { firstText, httpClient, startGatewayProcess, stdioClient } from "../support/mcp.js";
import { coordinatorStartFailure, startCoordinatorProcess, type CoordinatorProcess } from "../support/coordinator-process.js";
import { task, workflow } from "../support/spec.js";
import { spawnService } from "../support/stack.js";

// Issue 10: the coordinator's gRPC port over TLS and mTLS, real processes and
// real certificates (made in the test), the bearer token checked over TLS too.
const TOKEN = "t".repeat(40);
let nats: NatsServerHandle;
let pki: TestPki;
let tls: CoordinatorProcess;
let mtls: CoordinatorProcess;
let worker: ChildProcess;

const tlsFiles = (files: { ca?: string; cert?: string; key?: string; serverName?: string }): ClientTlsOptions =>
  loadClientTls({
    ca: files.ca ? { setting: "ca", path: files.ca } : undefined,
    cert: files.cert ? { setting: "cert", path: files.cert } : undefined,
    key: files.key ? { setting: "key", path: files.key } : undefined,
    serverName: files.serverName,
  })!;

/** One unary call's outcome: its code and message, or "OK". */
async function outcome(
  client: ToolmeshClient,
  call: (c: ToolmeshClient) => Promise<unknown> = (c) => c.capacity(),
): Promise<{ code: number; details: string } | "OK"> {
  try {
    await call(client);
    return "OK";
  } catch (err) {
    const e = err as { code: number; details: string };
    return { code: e.code, details: e.details };
  } finally {
    client.close();
  }
}

beforeAll(async () => {
  [nats, pki] = await Promise.all([startTestNats(), makeTestPki()]);
  const serverEnv = {
    TOOLMESH_NATS_URL: nats.url,
    TOOLMESH_GRPC_TOKEN: TOKEN,
    TOOLMESH_GRPC_TLS_CERT: pki.serverCert,
    TOOLMESH_GRPC_TLS_KEY: pki.serverKey,
  };
  tls = await startCoordinatorProcess(serverEnv);
  // A second coordinator: the two share the workflow partitions and each answers every call.
  mtls = await startCoordinatorProcess({ ...serverEnv, TOOLMESH_GRPC_TLS_CLIENT_CA: pki.caCert });
  worker = spawnService("testpool", { TOOLMESH_NATS_URL: nats.url, TOOLMESH_METRICS_INTERVAL_MS: "200" });
  // Every test that calls test.echo may run alone: the worker is up before any of them.
  const client = new ToolmeshClient(`127.0.0.1:${tls.port}`, { token: TOKEN, tls: tlsFiles({ ca: pki.caCert }) });
  try {
    await waitFor(
      async () => (await client.capacity()).pools.find((p) => p.pool === "test" && p.instances > 0),
      60_000,
      "the test pool's worker",
    );
  } finally {
    client.close();
  }
});

afterAll(async () => {
  if (worker && worker.exitCode === null && worker.signalCode === null) {
    const exited = once(worker, "exit");
    worker.kill("SIGTERM");
    await exited;
  }
  await Promise.all([tls?.stop(), mtls?.stop()]);
  await nats?.stop();
});

describe("coordinator over TLS", () => {
  it("says so in its ready line: grpcTransport tls, mtls with a client CA", () => {
    expect(tls.lines.find((l) => l.msg === "ready")).toMatchObject({ grpcTransport: "tls" });
    expect(mtls.lines.find((l) => l.msg === "ready")).toMatchObject({ grpcTransport: "mtls" });
  });

  it("a client with the right CA and the token runs a real CallTool (and GetCapacity)", async () => {
    const client = new ToolmeshClient(`127.0.0.1:${tls.port}`, { token: TOKEN, tls: tlsFiles({ ca: pki.caCert }) });
    try {
      expect((await client.capacity()).pools.find((p) => p.pool === "test")?.instances).toBeGreaterThan(0);
      const result = await client.call({ tool: "test.echo", args: { value: "over TLS" } });
      expect(result.output).toEqual({ value: "over TLS" });
    } finally {
      client.close();
    }
  });

  it("the token is still checked over TLS: a wrong one is UNAUTHENTICATED", async () => {
    const result = await outcome(new ToolmeshClient(`127.0.0.1:${tls.port}`, { token: "w".repeat(40), tls: tlsFiles({ ca: pki.caCert }) }));
    expect(result).toMatchObject({ code: status.UNAUTHENTICATED });
  });

  it("a client trusting another CA gets UNAVAILABLE saying the certificate is not trusted", async () => {
    const result = await outcome(new ToolmeshClient(`127.0.0.1:${tls.port}`, { token: TOKEN, tls: tlsFiles({ ca: pki.otherCaCert }) }));
    expect(result).toMatchObject({ code: status.UNAVAILABLE });
    expect((result as { details: string }).details).toMatch(
      /^the coordinator's TLS certificate is not trusted: give this client the CA that signed it \(TOOLMESH_GRPC_TLS_CA, --tls-ca\) \(.*unable to verify/,
    );
  });

  it("a plain-text client against the TLS port fails with UNAVAILABLE saying the coordinator may serve TLS", async () => {
    const result = await outcome(new ToolmeshClient(`127.0.0.1:${tls.port}`, { token: TOKEN }));
    expect(result).toMatchObject({ code: status.UNAVAILABLE });
    expect((result as { details: string }).details).toMatch(
      /not in plain-text gRPC; if the coordinator serves TLS, give this client its CA \(TOOLMESH_GRPC_TLS_CA, --tls-ca\)/,
    );
  });

  it("a server name override checks the certificate for that name (dialling an IP); a name it lacks is refused naming the setting", async () => {
    const named = await outcome(
      new ToolmeshClient(`127.0.0.1:${tls.port}`, { token: TOKEN, tls: tlsFiles({ ca: pki.caCert, serverName: "coordinator.test" }) }),
    );
    expect(named).toBe("OK");
    const wrong = await outcome(
      new ToolmeshClient(`127.0.0.1:${tls.port}`, { token: TOKEN, tls: tlsFiles({ ca: pki.caCert, serverName: "elsewhere.test" }) }),
    );
    expect(wrong).toMatchObject({ code: status.UNAVAILABLE });
    expect((wrong as { details: string }).details).toMatch(
      /does not carry the name dialled; set the name it carries as TOOLMESH_GRPC_TLS_SERVER_NAME/,
    );
  });
});

describe("coordinator with mTLS (TOOLMESH_GRPC_TLS_CLIENT_CA)", () => {
  it("refuses a client without a certificate, naming the settings that fix it", async () => {
    const result = await outcome(new ToolmeshClient(`127.0.0.1:${mtls.port}`, { token: TOKEN, tls: tlsFiles({ ca: pki.caCert }) }));
    expect(result).toMatchObject({ code: status.UNAVAILABLE });
    expect((result as { details: string }).details).toMatch(
      /requires a client certificate .*TOOLMESH_GRPC_TLS_CLIENT_CERT and TOOLMESH_GRPC_TLS_CLIENT_KEY/,
    );
  });

  it("accepts a client whose certificate the CA signed", async () => {
    const result = await outcome(
      new ToolmeshClient(`127.0.0.1:${mtls.port}`, {
        token: TOKEN,
        tls: tlsFiles({ ca: pki.caCert, cert: pki.clientCert, key: pki.clientKey }),
      }),
    );
    expect(result).toBe("OK");
  });
});

describe("TLS settings checked at start-up", () => {
  it("the coordinator refuses to start, naming the variable: a certificate without its key, an unreadable file, not PEM, a key of another certificate", async () => {
    const garbage = join(pki.dir, "garbage.pem");
    writeFileSync(garbage, "not a certificate\n");
    const base = { TOOLMESH_NATS_URL: nats.url };
    const cases: Array<[Record<string, string>, RegExp]> = [
      [
        { TOOLMESH_GRPC_TLS_CERT: pki.serverCert },
        /TOOLMESH_GRPC_TLS_CERT: set both TOOLMESH_GRPC_TLS_CERT and TOOLMESH_GRPC_TLS_KEY, or neither/,
      ],
      [
        { TOOLMESH_GRPC_TLS_CERT: join(pki.dir, "missing.crt"), TOOLMESH_GRPC_TLS_KEY: pki.serverKey },
        /TOOLMESH_GRPC_TLS_CERT: cannot read .*missing\.crt: ENOENT/,
      ],
      [
        { TOOLMESH_GRPC_TLS_CERT: garbage, TOOLMESH_GRPC_TLS_KEY: pki.serverKey },
        /TOOLMESH_GRPC_TLS_CERT: .*garbage\.pem holds no PEM certificate/,
      ],
      [
        { TOOLMESH_GRPC_TLS_CERT: pki.serverCert, TOOLMESH_GRPC_TLS_KEY: garbage },
        /TOOLMESH_GRPC_TLS_KEY: .*garbage\.pem is not a PEM private key/,
      ],
      [
        { TOOLMESH_GRPC_TLS_CERT: pki.serverCert, TOOLMESH_GRPC_TLS_KEY: pki.clientKey },
        /TOOLMESH_GRPC_TLS_KEY: the key in .*client\.key does not belong to the certificate in .*server\.crt/,
      ],
      [{ TOOLMESH_GRPC_TLS_CLIENT_CA: pki.caCert }, /TOOLMESH_GRPC_TLS_CLIENT_CA: mTLS needs TLS/],
    ];
    const results = await Promise.all(cases.map(([env]) => coordinatorStartFailure({ ...base, ...env })));
    results.forEach((result, i) => {
      expect(result.code, result.stderr).toBe(1);
      expect(result.stderr).toMatch(cases[i]![1]);
    });
  });

  it("a client's settings are checked the same way, naming the setting", () => {
    expect(() => loadClientTls({ ca: { setting: "TOOLMESH_GRPC_TLS_CA", path: join(pki.dir, "nope.crt") } })).toThrow(
      /TOOLMESH_GRPC_TLS_CA: cannot read .*nope\.crt: ENOENT/,
    );
    expect(() => loadClientTls({ cert: { setting: "--tls-cert", path: pki.clientCert } })).toThrow(
      /--tls-cert: mTLS needs the client key too/,
    );
    expect(() =>
      loadClientTls({ cert: { setting: "--tls-cert", path: pki.clientCert }, key: { setting: "--tls-key", path: pki.serverKey } }),
    ).toThrow(/--tls-key: the key in .*server\.key does not belong/);
    expect(loadClientTls({})).toBeUndefined();
  });

  it("a token bound beyond loopback in plain text gets a warning (not a refusal); over TLS or on loopback none", () => {
    expect(plaintextTokenWarning("10.1.2.3:50051", { token: TOKEN })).toMatch(
      /^the gRPC bearer token goes to 10\.1\.2\.3:50051 in plain text: anyone on the path can read it/,
    );
    expect(plaintextTokenWarning("dns:///coordinator.svc:50051", { token: TOKEN })).toMatch(/coordinator\.svc:50051 in plain text/);
    expect(plaintextTokenWarning("127.0.0.1:50051", { token: TOKEN })).toBeUndefined();
    expect(plaintextTokenWarning("[::1]:50051", { token: TOKEN })).toBeUndefined();
    expect(plaintextTokenWarning("10.1.2.3:50051", { token: TOKEN, tls: {} })).toBeUndefined();
    expect(plaintextTokenWarning("10.1.2.3:50051", {})).toBeUndefined();
  });
});

describe("the toolmesh CLI over TLS (the real CLI process)", () => {
  // "localhost", as a user would dial it: an IP address as the TLS server name draws a Node deprecation notice.
  const address = (): string => `localhost:${tls.port}`;

  it("--tls-ca runs a call end to end, with the token from TOOLMESH_GRPC_TOKEN", async () => {
    const run = await runCli(
      ["call", "test.echo", "--args", '{"value":"through the CLI"}', "--address", address(), "--tls-ca", pki.caCert],
      { TOOLMESH_GRPC_TOKEN: TOKEN },
    );
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout)).toEqual({ value: "through the CLI" });
  });

  it("TOOLMESH_GRPC_TLS_CA with the wrong CA: exit 1, the certificate is not trusted, no 'is the stack up?'", async () => {
    const run = await runCli(["call", "test.echo", "--address", address()], {
      TOOLMESH_GRPC_TOKEN: TOKEN,
      TOOLMESH_GRPC_TLS_CA: pki.otherCaCert,
    });
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(
      /^error: UNAVAILABLE: the coordinator's TLS certificate is not trusted: give this client the CA that signed it \(TOOLMESH_GRPC_TLS_CA, --tls-ca\) \(.*\)\n$/,
    );
    expect(run.stderr).not.toMatch(/is the stack up/);
  });

  it("a --tls-ca file that is not there: exit 2 naming the flag, before any call", async () => {
    const run = await runCli(["call", "test.echo", "--address", address(), "--tls-ca", join(pki.dir, "absent.crt")], {
      TOOLMESH_GRPC_TOKEN: TOKEN,
    });
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/^error: --tls-ca: cannot read .*absent\.crt: ENOENT\n$/);
  });
});

describe("MCP in front of a TLS coordinator", () => {
  it("the MCP gateway process reaches an mTLS coordinator with TOOLMESH_GRPC_TLS_* (its ready line says mtls) and lists its tools", async () => {
    const { service, url } = await startGatewayProcess({
      TOOLMESH_COORDINATOR_ADDRESS: `localhost:${mtls.port}`,
      TOOLMESH_GRPC_TOKEN: TOKEN,
      TOOLMESH_GRPC_TLS_CA: pki.caCert,
      TOOLMESH_GRPC_TLS_CLIENT_CERT: pki.clientCert,
      TOOLMESH_GRPC_TLS_CLIENT_KEY: pki.clientKey,
    });
    try {
      expect(service.ready).toMatchObject({ coordinatorTransport: "mtls" });
      const mcp = await httpClient(url, { authorization: `Bearer ${TOKEN}` });
      try {
        // ListTools answers on a standby too (the mTLS coordinator here is one).
        expect((await mcp.listTools()).tools.map((t) => t.name)).toContain("test_echo");
      } finally {
        await mcp.close();
      }
    } finally {
      await service.stop(5000);
    }
  });

  it("toolmesh mcp (stdio) calls a tool through a TLS coordinator with TOOLMESH_GRPC_TLS_CA", async () => {
    const { client } = await stdioClient(`localhost:${tls.port}`, { TOOLMESH_GRPC_TOKEN: TOKEN, TOOLMESH_GRPC_TLS_CA: pki.caCert });
    try {
      const result = await client.callTool({ name: "test_echo", arguments: { value: "over MCP and TLS" } });
      expect(firstText(result)).toContain("over MCP and TLS");
    } finally {
      await client.close();
    }
  });
});

describe("the agent pool over TLS", () => {
  it("the agent process submits its child workflow to the coordinator over TLS (TOOLMESH_GRPC_TLS_CA, the token)", async () => {
    const agent = spawnService("agent", {
      TOOLMESH_NATS_URL: nats.url,
      TOOLMESH_COORDINATOR_ADDRESS: `localhost:${tls.port}`,
      TOOLMESH_GRPC_TOKEN: TOKEN,
      TOOLMESH_GRPC_TLS_CA: pki.caCert,
      TOOLMESH_METRICS_INTERVAL_MS: "200",
    });
    const client = new ToolmeshClient(`127.0.0.1:${tls.port}`, { token: TOKEN, tls: tlsFiles({ ca: pki.caCert }) });
    try {
      await waitFor(
        async () => (await client.capacity()).pools.find((p) => p.pool === "agent" && p.instances > 0),
        60_000,
        "the agent pool's worker",
      );
      const plan = { tasks: [{ id: "e", tool: "test.echo", args: { value: "child over TLS" } }] };
      const wf = await client.run(workflow("agent-tls", [task("agent", "agent.run", { goal: "echo", tools: ["test.echo"], plan })]));
      expect(wf.state, JSON.stringify(wf.tasks.map((t) => t.error))).toBe(WorkflowState.WORKFLOW_STATE_SUCCEEDED);
      const output = wf.tasks.find((t) => t.id === "agent")!.output as Record<string, any>;
      expect(output.outputs).toEqual({ e: { value: "child over TLS" } });
      expect(output.workflowIds).toHaveLength(1);
    } finally {
      client.close();
      if (agent.exitCode === null && agent.signalCode === null) {
        const exited = once(agent, "exit");
        agent.kill("SIGTERM");
        await exited;
      }
    }
  });
});
