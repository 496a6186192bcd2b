import { bashConfigSchema, createBashTools, type BashTools } from "@toolmesh/bash";
import { loadConfig } from "@toolmesh/core";
import { systemTool } from "@toolmesh/testing";
import { parseToolArgs } from "@toolmesh/tools";
import { spawnSync } from "node:child_process";
import { chmod, mkdir, mkdtemp, readFile, rm, symlink, writeFile } from "node:fs/promises";
import { createServer, type Server } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

// Real commands in real bubblewrap sandboxes (the CI script installs bubblewrap).
const bwrap = systemTool("bwrap", { package: "bubblewrap", purpose: "the bash pool's sandbox" });
let base: string;
let tools: BashTools;
let listener: Server;
let listenerPort = 0;
let connections = 0;

type Result = { exitCode: number | null; signal: string | null; stdout: string; stderr: string; truncated: boolean; durationMs: number; killed?: string; sandbox: string };

function run(args: Record<string, unknown>, signal = new AbortController().signal, chunks?: string[]): Promise<Result> {
  return tools["bash.exec"](parseToolArgs("bash.exec", args), {
    signal,
    ...(chunks ? { chunk: (_stream: string, data: string) => void chunks.push(data) } : {}),
  }) as Promise<Result>;
}

/** Processes whose command line contains `marker`. */
function alive(marker: string): string {
  return spawnSync("pgrep", ["-af", marker], { encoding: "utf8" }).stdout.split("\n").filter((l) => l && !l.includes("pgrep")).join("\n");
}

describe.skipIf(bwrap.skip)("bash.exec", () => {
  beforeAll(async () => {
    bwrap.require();
    base = await mkdtemp(join(tmpdir(), "toolmesh-bash-"));
    await chmod(base, 0o755); // the sandbox uid must reach the workspace inside it
    await mkdir(join(base, "ws", "sub"), { recursive: true });
    await chmod(join(base, "ws", "sub"), 0o777);
    await writeFile(join(base, "outside.txt"), "host secret\n");
    await mkdir(join(base, "hidden"));
    await writeFile(join(base, "hidden", "readable.txt"), "world-readable but hidden\n");
    await symlink(base, join(base, "ws", "escape"));
    tools = await createBashTools(
      loadConfig("bash", bashConfigSchema, {
        TOOLMESH_BASH_WORKSPACE: join(base, "ws"),
        TOOLMESH_BASH_MAX_PROCESSES: "48",
        TOOLMESH_BASH_MEMORY_MB: "256",
        TOOLMESH_BASH_HIDE_PATHS: join(base, "hidden"),
      }),
      { LANG: "C.UTF-8", TOOLMESH_SECRET: "do-not-leak" },
    );
    listener = createServer((socket) => {
      connections += 1;
      socket.end("hello\n");
    });
    await new Promise<void>((resolve) => listener.listen(0, "127.0.0.1", resolve));
    listenerPort = (listener.address() as { port: number }).port;
  });
  afterAll(async () => {
    listener?.close();
    if (base) await rm(base, { recursive: true, force: true });
  });

  it("runs a command: output, exit code, duration, stdin, env allow-list, argv form", async () => {
    const out = await run({ command: "read line; echo \"got $line\"; echo oops >&2; echo \"lang=$LANG secret=${TOOLMESH_SECRET:-none} mine=$MINE\"; exit 3", stdin: "hi\n", env: { MINE: "x" } });
    expect(out).toMatchObject({ exitCode: 3, signal: null, sandbox: "bwrap", truncated: false });
    expect(out.stdout).toBe("got hi\nlang=C.UTF-8 secret=none mine=x\n");
    expect(out.stderr).toBe("oops\n");
    expect(out.durationMs).toBeGreaterThanOrEqual(0);
    const argv = await run({ command: ["/bin/echo", "a b", "$HOME"] });
    expect(argv.stdout).toBe("a b $HOME\n");
  });

  it("runs as an unprivileged uid, writes only in its workspace, sees a private /tmp", async () => {
    const out = await run({
      command: "id -u; echo made > inside.txt; echo x > /etc/toolmesh-test 2>/dev/null && echo wrote-etc; echo y > /tmp/t && echo tmp-ok; echo z > escape/outside.txt 2>/dev/null && echo wrote-outside; cat inside.txt",
    });
    expect(out.stdout.split("\n")).toEqual(["65534", "tmp-ok", "made", ""]);
    expect(await readFile(join(base, "ws", "inside.txt"), "utf8")).toBe("made\n");
    expect(await readFile(join(base, "outside.txt"), "utf8")).toBe("host secret\n");
  });

  it("cannot read root-only files nor paths the operator hid", async () => {
    const out = await run({ command: `cat /etc/shadow 2>&1 | head -1; cat ${join(base, "hidden", "readable.txt")} 2>&1; ls -A ${join(base, "hidden")} | wc -l` });
    expect(out.stdout).toMatch(/^cat: \/etc\/shadow: Permission denied\ncat: .*readable\.txt: No such file or directory\n0\n$/);
  });

  it("has no network: a connect to a listener on the host's loopback fails", async () => {
    const before = connections;
    const out = await run({ command: `exec 3<>/dev/tcp/127.0.0.1/${listenerPort} && echo connected || echo refused` });
    expect(out.stdout).toContain("refused");
    expect(connections).toBe(before);
  });

  it("refuses network: true when the operator did not allow it, and a cwd outside the workspace", async () => {
    await expect(run({ command: "true", network: true })).rejects.toMatchObject({ code: "PERMISSION_DENIED" });
    await expect(run({ command: "pwd", cwd: "../" })).rejects.toMatchObject({ code: "PERMISSION_DENIED" });
    await expect(run({ command: "pwd", cwd: "escape" })).rejects.toMatchObject({ code: "PERMISSION_DENIED" });
    expect((await run({ command: "pwd", cwd: "sub" })).stdout).toBe("/work/sub\n");
  });

  it("network: true works where the operator allows it", async () => {
    const open = await createBashTools(
      loadConfig("bash", bashConfigSchema, { TOOLMESH_BASH_WORKSPACE: join(base, "ws"), TOOLMESH_BASH_ALLOW_NETWORK: "true" }),
    );
    const before = connections;
    const out = (await open["bash.exec"](parseToolArgs("bash.exec", { command: `exec 3<>/dev/tcp/127.0.0.1/${listenerPort} && cat <&3`, network: true }), {
      signal: new AbortController().signal,
    })) as Result;
    expect(out.stdout).toBe("hello\n");
    expect(connections).toBe(before + 1);
  });

  it("caps output with a truncated flag", async () => {
    const out = await run({ command: "head -c 100000 /dev/zero | tr '\\0' a", maxOutputBytes: 1000 });
    expect(out.stdout).toHaveLength(1000);
    expect(out.truncated).toBe(true);
  });

  it("a timeout kills the whole process tree", async () => {
    const marker = `sleep-${Date.now()}`;
    const out = await run({ command: `(bash -c 'exec -a ${marker} sleep 60' &) ; bash -c 'exec -a ${marker} sleep 60'`, timeoutMs: 500 });
    expect(out.killed).toBe("timeout");
    expect(out.signal).toBe("SIGKILL");
    // The group is SIGKILLed; the processes are gone a moment later.
    await expect.poll(() => alive(marker), { timeout: 10_000 }).toBe("");
  });

  it("an idle timeout kills a command that stops writing", async () => {
    // Idle long enough that a slow sandbox start on a busy machine is not mistaken for silence.
    const out = await run({ command: "echo start; sleep 30", idleTimeoutMs: 2000, timeoutMs: 20_000 });
    expect(out).toMatchObject({ killed: "idle", stdout: "start\n" });
  });

  it("cancel kills the tree and reports CANCELLED; output chunks stream while it runs", async () => {
    const controller = new AbortController();
    const chunks: string[] = [];
    const marker = `cancel-${Date.now()}`;
    const running = run({ command: `echo first; exec -a ${marker} sleep 60` }, controller.signal, chunks);
    await expect.poll(() => chunks.join(""), { timeout: 15_000 }).toBe("first\n");
    controller.abort();
    await expect(running).rejects.toMatchObject({ code: "CANCELLED" });
    await expect.poll(() => alive(marker), { timeout: 10_000 }).toBe("");
  });

  it("contains a fork bomb and a memory hog, and keeps serving other calls meanwhile", async () => {
    const marker = `bomb-${Date.now()}`;
    const bomb = run({ command: `bash -c 'b() { b | b & }; b; sleep 5' ${marker}`, timeoutMs: 2000 });
    const hog = run({ command: "python3 -c 'x = bytearray(600 * 1024 * 1024)' 2>&1 | tail -1", timeoutMs: 30_000 });
    const meanwhile = await run({ command: "echo still-serving" });
    expect(meanwhile.stdout).toBe("still-serving\n");
    expect((await bomb).killed).toBe("timeout");
    await expect.poll(() => alive(marker), { timeout: 10_000 }).toBe("");
    expect((await hog).stdout).toMatch(/MemoryError/);
  }, 45_000);
});
