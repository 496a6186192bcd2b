import { status } from "@grpc/grpc-js";
import { ToolmeshClient } from "@toolmesh/client";
import { writeStackState } from "@toolmesh/local";
import { createServer } from "node:net";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { coordinatorUnreachable, describeGrpcError, resolveConnection } from "../src/connection.js";
import { tempDir, toolmesh } from "./support/cli.js";
import { startFakeCoordinator, type FakeCoordinator } from "./support/fake-coordinator.js";

/** A port nothing listens on: bound, then closed. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** The error of one CallTool at `address`, and whether the coordinator was unreachable. */
async function failedCall(address: string): Promise<{ err: unknown; described: string; unreachable: boolean; byDetails: boolean }> {
  const connection = resolveConnection({ address, env: { TOOLMESH_STATE_DIR: tempDir() } });
  const client = new ToolmeshClient(address);
  try {
    await client.call({ tool: "web.fetch", args: { url: "http://nowhere.invalid/" } });
    throw new Error("the call succeeded");
  } catch (err) {
    return {
      err,
      described: describeGrpcError(err, { connection, client }),
      unreachable: coordinatorUnreachable(err, client),
      byDetails: coordinatorUnreachable(err),
    };
  } finally {
    client.close();
  }
}

describe("the (is the stack up?) hint", () => {
  const toolError = "web.fetch: getaddrinfo ENOTFOUND nowhere.invalid";
  let fake: FakeCoordinator;
  beforeAll(async () => {
    fake = await startFakeCoordinator({ callToolError: { code: status.UNAVAILABLE, details: toolError } });
  });
  afterAll(async () => fake?.stop());

  it("is given when the coordinator could not be reached", async () => {
    const port = await closedPort();
    const call = await failedCall(`127.0.0.1:${port}`);
    expect((call.err as { code: number }).code).toBe(status.UNAVAILABLE);
    expect(call.unreachable).toBe(true);
    expect(call.byDetails).toBe(true);
    expect(call.described).toMatch(
      new RegExp(
        `^UNAVAILABLE: No connection established\\. Last error: .*ECONNREFUSED.* \\(is the stack up\\? nothing answers at 127\\.0\\.0\\.1:${port} \\(from --address\\)\\)$`,
      ),
    );
  });

  it("is not given for a tool's own UNAVAILABLE that the coordinator returned", async () => {
    const call = await failedCall(fake.address);
    expect((call.err as { code: number }).code).toBe(status.UNAVAILABLE);
    expect(call.unreachable).toBe(false);
    // Without the channel, grpc-js's own messages tell the two apart too.
    expect(call.byDetails).toBe(false);
    expect(call.described).toBe(`UNAVAILABLE: ${toolError}`);
  });

  it("toolmesh call says where it looked: nothing there, a tool's failure without the hint", async () => {
    const port = await closedPort();
    const [nothing, tool] = await Promise.all([
      toolmesh(["call", "web.fetch"], { env: { TOOLMESH_ADDRESS: `127.0.0.1:${port}` } }),
      toolmesh(["call", "web.fetch"], { env: { TOOLMESH_ADDRESS: fake.address } }),
    ]);
    expect(nothing.code).toBe(1);
    expect(nothing.stderr).toMatch(
      new RegExp(
        `^error: UNAVAILABLE: .*\\(is the stack up\\? nothing answers at 127\\.0\\.0\\.1:${port} \\(from TOOLMESH_ADDRESS\\)\\)\\n$`,
      ),
    );
    expect(tool.code).toBe(1);
    expect(tool.stderr).toBe(`error: UNAVAILABLE: ${toolError}\n`);
  });

  it("with a running stack whose coordinator does not answer, toolmesh call names the state file", async () => {
    const dir = tempDir();
    const port = await closedPort();
    // The vitest worker's pid stands for a live `up` process.
    writeStackState(join(dir, "stack.json"), {
      version: 1,
      pid: process.pid,
      startedAt: new Date().toISOString(),
      natsUrl: "nats://127.0.0.1:1",
      grpcAddress: `127.0.0.1:${port}`,
      roots: [],
      pools: [],
      services: [],
      logDir: join(dir, "logs"),
    });
    const run = await toolmesh(["call", "test.echo"], { cwd: dir, env: { TOOLMESH_STATE_DIR: dir } });
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(
      `(is the stack up? nothing answers at 127.0.0.1:${port}, the coordinator of the stack recorded in ${join(dir, "stack.json")} (up process ${process.pid});`,
    );
  });
});

describe("toolmesh top's NATS", () => {
  it("is the running stack's, and an unreachable one is named with where it came from", async () => {
    const dir = tempDir();
    const port = await closedPort();
    writeStackState(join(dir, "stack.json"), {
      version: 1,
      pid: process.pid,
      startedAt: new Date().toISOString(),
      natsUrl: `nats://127.0.0.1:${port}`,
      grpcAddress: "127.0.0.1:1",
      roots: [],
      pools: [],
      services: [],
      logDir: join(dir, "logs"),
    });
    const run = await toolmesh(["top", "--once"], { cwd: dir, env: { TOOLMESH_STATE_DIR: dir } });
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(
      new RegExp(
        `^error: cannot reach NATS at nats://127\\.0\\.0\\.1:${port} \\(of the stack recorded in ${join(dir, "stack.json").replace(/[.]/g, "\\.")}\\): `,
      ),
    );
  });
});
