import { status } from "@grpc/grpc-js";
import { ToolmeshClient } from "@toolmesh/client";
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { processesWithMarker, runCli, startCli, uniqueMarker, waitUntilNoneLeft } from "../support/cli-process.js";

interface State {
  grpcAddress: string;
  grpcToken: string;
  mcpToken: string;
  logDir: string;
  services: { name: string; pid: number }[];
}

/** Every file under `dir`, as text. */
function filesUnder(dir: string): { path: string; text: string }[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath, entry.name))
    .map((path) => ({ path, text: readFileSync(path, "latin1") }));
}

/** A process's environment (NUL-separated in /proc), as NAME=VALUE lines. */
const environOf = (pid: number): string[] => readFileSync(`/proc/${pid}/environ`, "latin1").split("\0");
const commandOf = (pid: number): string => readFileSync(`/proc/${pid}/cmdline`, "latin1").replaceAll("\0", " ");

/**
 * `toolmesh up` makes a bearer token per run: its coordinator refuses
 * callers without it, the CLI takes it from stack.json, and it is in
 * neither a log, argv, nor a worker that does not call the coordinator.
 */
describe("toolmesh up's gRPC token", () => {
  it("the coordinator refuses a caller without the run's token, toolmesh call uses stack.json's, and the token is in no log or command line", async () => {
    const marker = uniqueMarker();
    const root = mkdtempSync(join(tmpdir(), "toolmesh-auth-root-"));
    writeFileSync(join(root, "notes.md"), "# notes\n");
    // A .toolmesh an earlier version left world-readable: up makes it owner-only.
    const stateDir = join(mkdtempSync(join(tmpdir(), "toolmesh-up-")), ".toolmesh");
    mkdirSync(stateDir);
    chmodSync(stateDir, 0o755);
    // No token from the environment: up makes one, and the CLI finds it in the state file.
    const env = {
      ...marker.env,
      TOOLMESH_STATE_DIR: stateDir,
      TOOLMESH_NATS_URL: "",
      TOOLMESH_ADDRESS: "",
      TOOLMESH_GRPC_TOKEN: "",
      TOOLMESH_MCP_TOKEN: "",
    };
    const up = startCli(["up", "--root", `notes=${root}`, "--grpc-port", "0"], env, { ownGroup: true });
    try {
      await up.waitForStderr(/up; Ctrl-C/);
      const statePath = join(stateDir, "stack.json");
      const state = JSON.parse(readFileSync(statePath, "utf8")) as State;
      expect(state.grpcToken).toMatch(/^[A-Za-z0-9_-]{32,}$/);
      expect(state.mcpToken).toBe(state.grpcToken);
      expect(statSync(statePath).mode & 0o777).toBe(0o600);
      expect(statSync(stateDir).mode & 0o777).toBe(0o700);

      const anonymous = new ToolmeshClient(state.grpcAddress);
      const wrong = new ToolmeshClient(state.grpcAddress, { token: "x".repeat(state.grpcToken.length) });
      try {
        await expect(anonymous.call({ tool: "code.glob", args: { root: "notes", patterns: ["*.md"] } })).rejects.toMatchObject({
          code: status.UNAUTHENTICATED,
        });
        await expect(wrong.list()).rejects.toMatchObject({ code: status.UNAUTHENTICATED });
      } finally {
        anonymous.close();
        wrong.close();
      }

      const call = await runCli(["call", "code.glob", "--args", JSON.stringify({ root: "notes", patterns: ["*.md"] })], env);
      expect(call.stderr).toBe("");
      expect(call.stdout).toContain("notes.md");
      // An explicit variable still wins: a wrong one is refused, not replaced by the stack's.
      const explicit = await runCli(["call", "code.glob", "--args", "{}"], { ...env, TOOLMESH_GRPC_TOKEN: "y".repeat(40) });
      expect(explicit.stderr).toMatch(/UNAUTHENTICATED/);

      // agent.run's child workflows go through gRPC: the agent worker has the token, and it works.
      const agent = await runCli(
        [
          "call",
          "agent.run",
          "--args",
          JSON.stringify({
            goal: "list notes",
            policy: "plan",
            plan: { tasks: [{ id: "g", tool: "code.glob", args: { root: "notes", patterns: ["*.md"] } }] },
          }),
        ],
        env,
      );
      expect(agent.stderr).toBe("");
      expect(agent.stdout).toContain("notes.md");

      const statusJson = await runCli(["status", "--json"], env);
      expect(statusJson.code, statusJson.stderr).toBe(0);
      expect(statusJson.stdout).not.toContain(state.grpcToken);
      const text = await runCli(["status"], env);
      expect(text.stdout).toContain("toolmesh status --mcp-config");
      expect(text.stdout).not.toContain(state.grpcToken);

      const token = `TOOLMESH_GRPC_TOKEN=${state.grpcToken}`;
      const processes = processesWithMarker(marker);
      expect(processes.length).toBeGreaterThanOrEqual(6);
      for (const pid of processes) expect(commandOf(pid), `pid ${pid}`).not.toContain(state.grpcToken);
      // Only the services that are gRPC clients hold it: the coordinator, the autoscaler (to hand to agent workers), the agent workers.
      const holders = processes.filter((pid) => environOf(pid).includes(token)).map((pid) => commandOf(pid));
      expect(holders.some((c) => c.includes("apps/coordinator/"))).toBe(true);
      expect(holders.some((c) => c.includes("apps/agent/"))).toBe(true);
      expect(holders.filter((c) => /apps\/(codebase|web-search|bash|mcp-pool)\//.test(c))).toEqual([]);

      const down = await runCli(["down"], env);
      expect(down.code).toBe(0);
      expect(await up.exited).toBe(0);
      expect(await waitUntilNoneLeft(marker, 10_000)).toEqual([]);
      expect(up.stderr() + up.stdout()).not.toContain(state.grpcToken);
      const logs = filesUnder(state.logDir);
      expect(logs.map((l) => l.path)).toEqual(
        expect.arrayContaining([join(state.logDir, "coordinator.log"), join(state.logDir, "mcp-gateway.log")]),
      );
      expect(logs.filter((l) => l.text.includes(state.grpcToken)).map((l) => l.path)).toEqual([]);
    } finally {
      if (up.child.exitCode === null) process.kill(-up.child.pid!, "SIGINT");
    }
  }, 240_000);
});
