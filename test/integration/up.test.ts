import { connect } from "@nats-io/transport-node";
import { existsSync, mkdtempSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import {
  pathWithoutOptionalTools,
  processesWithMarker,
  runCli,
  startCli,
  uniqueMarker,
  waitUntilNoneLeft,
} from "../support/cli-process.js";
import { repoRoot } from "../support/stack.js";

/** Every `up` here keeps its state, logs and NATS store in a directory of its own. */
function upEnv(marker: { env: Record<string, string> }, extra: Record<string, string> = {}): Record<string, string> {
  return { ...marker.env, TOOLMESH_STATE_DIR: mkdtempSync(join(tmpdir(), "toolmesh-up-")), TOOLMESH_NATS_URL: "", ...extra };
}

/** SIGINT to the process group, as a terminal's Ctrl-C sends it. */
function ctrlC(pid: number): void {
  process.kill(-pid, "SIGINT");
}

describe("toolmesh up", () => {
  it("without bubblewrap or ripgrep on PATH: skips the bash pool with one line, runs the demo to its report, leaves nothing behind", async () => {
    const marker = uniqueMarker();
    const run = await runCli(
      ["up", "--root", repoRoot, "--demo", "--exit", "--grpc-port", "0"],
      upEnv(marker, { PATH: pathWithoutOptionalTools() }),
    );
    expect(run.stderr.match(/bash pool skipped: bubblewrap \(bwrap\) is not installed/g)).toHaveLength(1);
    expect(run.stderr).toMatch(/nats-server with JetStream on nats:\/\/127\.0\.0\.1:\d+/);
    expect(run.stderr).toMatch(/managing codebase, web, agent \(/);
    expect(run.stderr).toMatch(/… analyze \(code\.analyze\) fan-out over \d+ items/);
    expect(run.stderr).toMatch(/workflow succeeded in \d+ ms/);
    expect(run.stdout).toMatch(/Codebase: \./);
    expect(run.stdout).toContain("Main modules");
    expect(run.code).toBe(0);
    expect(await waitUntilNoneLeft(marker, 10_000)).toEqual([]);
  }, 240_000);

  it("named roots: status and call from another terminal find the stack, the agent pool starts on its first call, down stops it", async () => {
    const marker = uniqueMarker();
    const other = mkdtempSync(join(tmpdir(), "toolmesh-other-root-"));
    writeFileSync(join(other, "only-here.txt"), "a file in the second root\n");
    const env = upEnv(marker);
    const up = startCli(["up", "--root", repoRoot, "--root", `other=${other}`, "--grpc-port", "0"], env, { ownGroup: true });
    try {
      await up.waitForStderr(/up; Ctrl-C/);
      const status = await runCli(["status", "--json"], env);
      expect(status.code).toBe(0);
      const report = JSON.parse(status.stdout) as {
        state: { roots: { name: string; dir: string }[]; grpcAddress: string };
        checks: { name: string; ok: boolean }[];
        footprint: { rssBytes: number; processes: number };
      };
      expect(report.state.roots).toHaveLength(2);
      expect(report.state.roots[1]).toMatchObject({ name: "other" });
      expect(report.checks.filter((c) => !c.ok)).toEqual([]);
      expect(report.footprint.processes).toBeGreaterThanOrEqual(5);
      expect(report.footprint.rssBytes).toBeGreaterThan(0);
      const text = await runCli(["status"], env);
      expect(text.stdout).toMatch(/footprint: \d+ processes, \d+ MB RSS in all/);

      // Its nats-server lets in only the roles' logins: `top` reads as the observer, nobody gets in without one.
      const { natsUrl, natsAuthDir } = JSON.parse(readFileSync(join(env.TOOLMESH_STATE_DIR!, "stack.json"), "utf8")) as {
        natsUrl: string;
        natsAuthDir: string;
      };
      await expect(connect({ servers: natsUrl, reconnect: false })).rejects.toThrow(/Authorization Violation/i);
      expect(statSync(natsAuthDir).mode & 0o777).toBe(0o700);
      expect(statSync(join(natsAuthDir, "observer.json")).mode & 0o777).toBe(0o600);
      const top = await runCli(["top", "--once"], { ...env, TOOLMESH_NATS_URL: "" });
      expect(top.stderr).toBe("");
      expect(top.stdout).toMatch(/^codebase\s+1\s/m);

      const call = await runCli(["call", "code.glob", "--args", JSON.stringify({ root: "other", patterns: ["*.txt"] })], {
        ...env,
        TOOLMESH_ADDRESS: "",
      });
      expect(call.stderr).toBe("");
      expect(call.stdout).toContain("only-here.txt");

      // The agent pool has no worker until its first call: that call starts one.
      expect(text.stdout).toMatch(/○ agent\s+no worker now/);
      const agent = await runCli(
        [
          "call",
          "agent.run",
          "--args",
          JSON.stringify({
            goal: "read one file",
            policy: "plan",
            plan: { tasks: [{ id: "r", tool: "code.read", args: { root: "other", path: "only-here.txt" } }] },
          }),
        ],
        { ...env, TOOLMESH_ADDRESS: "" },
      );
      expect(agent.stderr).toBe("");
      expect(JSON.parse(agent.stdout)).toMatchObject({ calls: 1, outputs: { r: { content: "a file in the second root\n" } } });

      const down = await runCli(["down"], env);
      expect(down.code).toBe(0);
      expect(down.stderr).toMatch(/stopped in \d+\.\d s/);
      expect(await up.exited).toBe(0);
      expect(await waitUntilNoneLeft(marker, 10_000)).toEqual([]);
      expect(existsSync(natsAuthDir)).toBe(false);
      const after = await runCli(["status"], env);
      expect(after.code).toBe(1);
      expect(after.stderr).toMatch(/no stack is running/);
    } finally {
      if (up.child.exitCode === null) ctrlC(up.child.pid!);
    }
  }, 240_000);

  it("a worker that cannot start stops up with that worker's own error, not a hidden crash loop", async () => {
    const marker = uniqueMarker();
    const started = Date.now();
    const run = await runCli(["up", "--root", repoRoot, "--grpc-port", "0"], upEnv(marker, { TOOLMESH_WEB_PROVIDERS: "no-such-provider" }));
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/web worker \S+ failed to start: .*no-such-provider/);
    expect(run.stderr).not.toMatch(/came up within/);
    expect(Date.now() - started).toBeLessThan(120_000);
    expect(await waitUntilNoneLeft(marker, 10_000)).toEqual([]);
  }, 180_000);

  it("Ctrl-C to the process group during start-up stops everything", async () => {
    const marker = uniqueMarker();
    const up = startCli(["up", "--root", repoRoot, "--grpc-port", "0"], upEnv(marker), { ownGroup: true });
    await up.waitForStderr(/starting autoscaler/);
    ctrlC(up.child.pid!);
    const code = await up.exited;
    expect(up.stderr()).toMatch(/stopping/);
    expect(code, up.stderr()).toBe(0);
    expect(await waitUntilNoneLeft(marker, 10_000)).toEqual([]);
  }, 180_000);

  it("Ctrl-C during a running workflow stops everything within 10 s; a second Ctrl-C kills at once", async () => {
    const marker = uniqueMarker();
    const up = startCli(["up", "--root", repoRoot, "--grpc-port", "0", "--demo"], upEnv(marker), { ownGroup: true });
    await up.waitForStderr(/fan-out over \d+ items/);
    const interrupted = Date.now();
    ctrlC(up.child.pid!);
    await up.exited;
    expect(Date.now() - interrupted).toBeLessThan(10_000);
    expect(await waitUntilNoneLeft(marker, 5_000)).toEqual([]);

    const second = uniqueMarker();
    const again = startCli(["up", "--root", repoRoot, "--grpc-port", "0", "--demo"], upEnv(second), { ownGroup: true });
    await again.waitForStderr(/fan-out over \d+ items/);
    ctrlC(again.child.pid!);
    await again.waitForStderr(/stopping/);
    const secondAt = Date.now();
    ctrlC(again.child.pid!);
    expect(await again.exited).toBe(130);
    expect(Date.now() - secondAt).toBeLessThan(5_000);
    expect(again.stderr()).toMatch(/killing everything now/);
    expect(await waitUntilNoneLeft(second, 5_000)).toEqual([]);
  }, 240_000);

  it("SIGKILL of up leaves no orphan: the services and NATS follow it", async () => {
    const marker = uniqueMarker();
    const up = startCli(["up", "--root", repoRoot, "--grpc-port", "0"], upEnv(marker), { ownGroup: true });
    await up.waitForStderr(/up; Ctrl-C/);
    expect(processesWithMarker(marker).length).toBeGreaterThanOrEqual(6);
    up.child.kill("SIGKILL");
    await up.exited;
    expect(await waitUntilNoneLeft(marker, 15_000)).toEqual([]);
  }, 180_000);

  it("bad --root is one clear error before anything starts", async () => {
    const marker = uniqueMarker();
    const run = await runCli(["up", "--root", "other=/no/such/dir"], upEnv(marker));
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('--root: root "other=/no/such/dir": directory "/no/such/dir" does not exist');
    expect(run.stderr).not.toMatch(/nats-server with JetStream/);
  });
});
