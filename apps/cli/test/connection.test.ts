import { writeNatsAuth } from "@toolmesh/core";
import { writeStackState, type StackState } from "@toolmesh/local";
import { spawnSync } from "node:child_process";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { resolveConnection, resolveNatsUrl, unreachableHint } from "../src/connection.js";
import { tempDir } from "./support/cli.js";

const state = (over: Partial<StackState> = {}): StackState => ({
  version: 1,
  pid: process.pid, // alive for as long as the test runs
  startedAt: new Date().toISOString(),
  natsUrl: "nats://127.0.0.1:14222",
  grpcAddress: "127.0.0.1:15051",
  grpcToken: "stack-token",
  roots: [{ name: "main", dir: "/srv/main" }],
  pools: ["codebase"],
  services: [],
  logDir: "/srv/main/.toolmesh/logs",
  ...over,
});

/** A TOOLMESH_STATE_DIR holding `s`, or nothing. */
function stateDir(s?: StackState): string {
  const dir = tempDir("toolmesh-state-");
  if (s) writeStackState(join(dir, "stack.json"), s);
  return dir;
}

/** The pid of a process that has exited. */
function deadPid(): number {
  const child = spawnSync(process.execPath, ["-e", ""]);
  return child.pid;
}

describe("where the CLI finds the coordinator", () => {
  it("--address beats TOOLMESH_ADDRESS beats the running stack beats the default", () => {
    const dir = stateDir(state());
    const env = { TOOLMESH_STATE_DIR: dir, TOOLMESH_ADDRESS: "10.0.0.1:1" };
    expect(resolveConnection({ address: "10.0.0.2:2", env })).toMatchObject({ address: "10.0.0.2:2", source: "--address" });
    expect(resolveConnection({ env })).toMatchObject({ address: "10.0.0.1:1", source: "TOOLMESH_ADDRESS" });
    // An empty variable counts as unset.
    expect(resolveConnection({ env: { TOOLMESH_STATE_DIR: dir, TOOLMESH_ADDRESS: "" } })).toMatchObject({
      address: "127.0.0.1:15051",
      source: "stack",
    });
    expect(resolveConnection({ env: { TOOLMESH_STATE_DIR: stateDir() } })).toMatchObject({ address: "127.0.0.1:50051", source: "default" });
  });

  it("finds .toolmesh/stack.json from the current directory up, as git finds .git", () => {
    const top = tempDir();
    mkdirSync(join(top, ".toolmesh"));
    writeStackState(join(top, ".toolmesh", "stack.json"), state({ grpcAddress: "127.0.0.1:15999" }));
    const deep = join(top, "a", "b");
    mkdirSync(deep, { recursive: true });
    expect(resolveConnection({ env: {}, cwd: deep })).toMatchObject({ address: "127.0.0.1:15999", source: "stack" });
  });

  it("a state whose up process is gone is stale: the default address, and the hint says why", () => {
    const pid = deadPid();
    const dir = stateDir(state({ pid }));
    const connection = resolveConnection({ env: { TOOLMESH_STATE_DIR: dir } });
    expect(connection).toMatchObject({ address: "127.0.0.1:50051", source: "default", token: undefined });
    expect(unreachableHint(connection)).toBe(
      `the stack recorded in ${join(dir, "stack.json")} is gone (its up process ${pid} exited); start one with \`npx toolmesh up\`, or set TOOLMESH_ADDRESS`,
    );
  });

  it("says where it looked when there is no stack, and names the source of an explicit address", () => {
    const dir = stateDir();
    expect(unreachableHint(resolveConnection({ env: { TOOLMESH_STATE_DIR: dir } }))).toBe(
      `no toolmesh stack is running (no ${join(dir, "stack.json")}); start one with \`npx toolmesh up\`, or set TOOLMESH_ADDRESS`,
    );
    expect(unreachableHint(resolveConnection({ env: { TOOLMESH_STATE_DIR: dir, TOOLMESH_ADDRESS: "127.0.0.1:1" } }))).toBe(
      "nothing answers at 127.0.0.1:1 (from TOOLMESH_ADDRESS)",
    );
    const running = resolveConnection({ env: { TOOLMESH_STATE_DIR: stateDir(state()) } });
    expect(unreachableHint(running)).toMatch(
      /^nothing answers at 127\.0\.0\.1:15051, the coordinator of the stack recorded in .*stack\.json \(up process \d+\)/,
    );
  });

  it("the token: TOOLMESH_GRPC_TOKEN beats the stack's, and the stack's goes to the stack's address only", () => {
    const dir = stateDir(state());
    expect(resolveConnection({ env: { TOOLMESH_STATE_DIR: dir } }).token).toBe("stack-token");
    expect(resolveConnection({ env: { TOOLMESH_STATE_DIR: dir, TOOLMESH_GRPC_TOKEN: "mine" } }).token).toBe("mine");
    expect(resolveConnection({ address: "127.0.0.1:15051", env: { TOOLMESH_STATE_DIR: dir } }).token).toBe("stack-token");
    expect(resolveConnection({ address: "elsewhere:50051", env: { TOOLMESH_STATE_DIR: dir } }).token).toBeUndefined();
  });
});

describe("where toolmesh top finds NATS", () => {
  it("TOOLMESH_NATS_URL beats the running stack beats the default", () => {
    const dir = stateDir(state());
    expect(resolveNatsUrl({ env: { TOOLMESH_STATE_DIR: dir, TOOLMESH_NATS_URL: "nats://a:1" } })).toEqual({
      url: "nats://a:1",
      source: "from TOOLMESH_NATS_URL",
      credentials: {},
    });
    expect(resolveNatsUrl({ env: { TOOLMESH_STATE_DIR: dir } })).toEqual({
      url: "nats://127.0.0.1:14222",
      source: `of the stack recorded in ${join(dir, "stack.json")}`,
      credentials: {},
    });
    const stale = resolveNatsUrl({ env: { TOOLMESH_STATE_DIR: stateDir(state({ pid: deadPid() })) } });
    expect(stale.url).toBe("nats://127.0.0.1:4222");
    expect(stale.source).toMatch(/^the default: the stack recorded in .* is gone/);
  });

  it("logs in as the asked role with the stack's credentials, only when the URL is the stack's", () => {
    const auth = writeNatsAuth(join(tempDir("toolmesh-auth-"), "nats-auth"), ["codebase"]);
    const dir = stateDir(state({ natsAuthDir: auth.dir }));
    const observer = auth.credentials.get("observer")!;
    const expected = {
      TOOLMESH_NATS_USER: observer.user,
      TOOLMESH_NATS_PASSWORD: observer.password,
      TOOLMESH_NATS_INBOX_PREFIX: "_INBOX_observer",
    };
    expect(resolveNatsUrl({ env: { TOOLMESH_STATE_DIR: dir }, role: "observer" }).credentials).toEqual(expected);
    expect(
      resolveNatsUrl({ env: { TOOLMESH_STATE_DIR: dir, TOOLMESH_NATS_URL: "nats://127.0.0.1:14222" }, role: "observer" }).credentials,
    ).toEqual(expected);
    // Another server never gets the stack's passwords.
    expect(
      resolveNatsUrl({ env: { TOOLMESH_STATE_DIR: dir, TOOLMESH_NATS_URL: "nats://elsewhere:4222" }, role: "observer" }).credentials,
    ).toEqual({});
  });
});
