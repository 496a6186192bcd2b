import { bashConfigSchema, createBashTools, type BashTools } from "@toolmesh/bash";
import { loadConfig } from "@toolmesh/core";
import { systemTool } from "@toolmesh/testing";
import { parseToolArgs } from "@toolmesh/tools";
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { chmod, mkdir, mkdtemp, readdir, rm, writeFile } from "node:fs/promises";
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

type Result = {
  exitCode: number | null;
  signal: string | null;
  stdout: string;
  stderr: string;
  truncated: boolean;
  durationMs: number;
  sandbox: string;
};

interface RunOptions {
  signal?: AbortSignal;
  chunks?: string[];
  workflowId?: string;
  on?: BashTools;
}

function run(
  args: Record<string, unknown>,
  { signal = new AbortController().signal, chunks, workflowId = "wf-main", on = tools }: RunOptions = {},
): Promise<Result> {
  return on["bash.exec"](parseToolArgs("bash.exec", args), {
    signal,
    workflowId,
    ...(chunks ? { chunk: (_stream: string, data: string) => void chunks.push(data) } : {}),
  }) as Promise<Result>;
}

/** Processes whose command line contains `marker`. */
function alive(marker: string): string {
  return spawnSync("pgrep", ["-af", marker], { encoding: "utf8" })
    .stdout.split("\n")
    .filter((l) => l && !l.includes("pgrep"))
    .join("\n");
}

const tools$ = (env: Record<string, string>): Promise<BashTools> => createBashTools(loadConfig("bash", bashConfigSchema, env));

describe.skipIf(bwrap.skip)("bash.exec", () => {
  beforeAll(async () => {
    bwrap.require();
    base = await mkdtemp(join(tmpdir(), "toolmesh-bash-"));
    await chmod(base, 0o755); // the sandbox uid must reach the workspace inside it
    await writeFile(join(base, "outside.txt"), "host secret\n");
    await chmod(join(base, "outside.txt"), 0o644);
    tools = await createBashTools(
      loadConfig("bash", bashConfigSchema, {
        TOOLMESH_BASH_WORKSPACE: join(base, "ws"),
        TOOLMESH_BASH_MAX_PROCESSES: "48",
        TOOLMESH_BASH_MEMORY_MB: "256",
        TOOLMESH_BASH_TMP_MB: "8",
        TOOLMESH_BASH_WORKSPACE_MB: "16",
        TOOLMESH_BASH_HIDE_PATHS: "/usr/share/doc",
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
    await tools?.close();
    if (base) await rm(base, { recursive: true, force: true });
  });

  it("runs a command: output, exit code, duration, stdin, env allow-list, argv form", async () => {
    const out = await run({
      command: 'read line; echo "got $line"; echo oops >&2; echo "lang=$LANG secret=${TOOLMESH_SECRET:-none} mine=$MINE"; exit 3',
      stdin: "hi\n",
      env: { MINE: "x" },
    });
    expect(out).toMatchObject({ exitCode: 3, signal: null, sandbox: "bwrap", truncated: false });
    expect(out.stdout).toBe("got hi\nlang=C.UTF-8 secret=none mine=x\n");
    expect(out.stderr).toBe("oops\n");
    expect(out.durationMs).toBeGreaterThanOrEqual(0);
    const argv = await run({ command: ["/bin/echo", "a b", "$HOME"] });
    expect(argv.stdout).toBe("a b $HOME\n");
  });

  it("runs as an unprivileged uid, writes only in its workspace and a private /tmp", async () => {
    const out = await run({
      command:
        "id -u; echo made > inside.txt; echo x > /etc/toolmesh-test 2>/dev/null && echo wrote-etc; echo x > /usr/toolmesh-test 2>/dev/null && echo wrote-usr; echo y > /tmp/t && echo tmp-ok; cat inside.txt; pwd",
    });
    expect(out.stdout.split("\n")).toEqual(["65534", "tmp-ok", "made", "/work", ""]);
    // The workspace is a tmpfs of its own: nothing of it lands in the host directory.
    expect(await readdir(join(base, "ws", "wf-main"))).toEqual([]);
  });

  it("sees only the system trees and a chosen part of /etc: no /run, /var, /home, /root, host /tmp, shadow or hidden paths", async () => {
    const socketDir = await mkdtemp(join(tmpdir(), "toolmesh-bash-sock-"));
    await chmod(socketDir, 0o755);
    const socket = createServer(() => undefined);
    await new Promise<void>((resolve) => socket.listen(join(socketDir, "host.sock"), resolve));
    await chmod(join(socketDir, "host.sock"), 0o777);
    try {
      const out = await run({
        command: `ls -A /; for p in /run /var/run /var /home /root ${socketDir}/host.sock ${join(base, "outside.txt")} /etc/shadow /etc/gshadow /etc/resolv.conf; do test -e $p && echo "present $p"; done; ls -A /usr/share/doc | wc -l; ls /etc/passwd /bin/bash`,
      });
      const lines = out.stdout.split("\n");
      expect(lines.slice(0, -4).filter((name) => !["lib32", "libx32", "lib64", "sbin"].includes(name))).toEqual([
        "bin",
        "dev",
        "etc",
        "lib",
        "proc",
        "tmp",
        "usr",
        "work",
      ]);
      expect(out.stdout).not.toContain("present");
      expect(lines.slice(-4)).toEqual(["0", "/bin/bash", "/etc/passwd", ""]);
      const dial = await run({
        command: `python3 -c 'import socket; s = socket.socket(socket.AF_UNIX); s.connect("${socketDir}/host.sock")' 2>&1 | tail -1`,
      });
      expect(dial.stdout).toMatch(/FileNotFoundError/);
    } finally {
      socket.close();
      await rm(socketDir, { recursive: true, force: true });
    }
  });

  it("nested user namespaces are refused: unshare -r fails", async () => {
    const out = await run({
      command: "unshare -r true && echo nested || echo refused; unshare -U true && echo nested-u || echo refused-u",
    });
    expect(out.stdout).toBe("refused\nrefused-u\n");
  });

  it("writing past the /tmp cap or the workspace cap fails inside the command (ENOSPC) and the pool keeps serving", async () => {
    const out = await run({
      command:
        "head -c 20000000 /dev/zero > /tmp/big; echo tmp=$?; head -c 40000000 /dev/zero > big; echo ws=$?; rm -f big; df -k /tmp /work | tail -2 | awk '{print $2}'",
    });
    expect(out.stdout).toBe("tmp=1\nws=1\n8192\n16384\n");
    expect(out.stderr).toMatch(/No space left on device/);
    expect((await run({ command: "echo still-serving" })).stdout).toBe("still-serving\n");
  });

  it("a workflow keeps its workspace between calls; other workflows never see it", async () => {
    await run({ command: "echo mine > note.txt" }, { workflowId: "wf-one" });
    expect((await run({ command: "cat note.txt" }, { workflowId: "wf-one" })).stdout).toBe("mine\n");
    const other = await run({ command: "cat note.txt 2>&1; ls -A /work | wc -l; ls -A / | grep -c wf-one" }, { workflowId: "wf-two" });
    expect(other.stdout).toMatch(/No such file or directory\n0\n0\n$/);
  });

  it("with TOOLMESH_BASH_WORKSPACE_SCOPE=call every call starts with an empty, capped workspace", async () => {
    const perCall = await tools$({
      TOOLMESH_BASH_WORKSPACE: join(base, "ws-call"),
      TOOLMESH_BASH_WORKSPACE_SCOPE: "call",
      TOOLMESH_BASH_WORKSPACE_MB: "4",
    });
    try {
      expect(
        (await run({ command: "echo x > f; df -k /work | tail -1 | awk '{print $2}'" }, { workflowId: "wf-c", on: perCall })).stdout,
      ).toBe("4096\n");
      expect((await run({ command: "ls -A | wc -l" }, { workflowId: "wf-c", on: perCall })).stdout).toBe("0\n");
    } finally {
      await perCall.close();
    }
  });

  it("an idle workflow's workspace is removed, and close() removes the rest", async () => {
    const idle = await tools$({ TOOLMESH_BASH_WORKSPACE: join(base, "ws-idle"), TOOLMESH_BASH_WORKSPACE_IDLE_MIN: "0.01" });
    await run({ command: "echo x > f" }, { workflowId: "wf-idle", on: idle });
    await expect.poll(() => existsSync(join(base, "ws-idle", "wf-idle")), { timeout: 10_000 }).toBe(false);
    expect((await run({ command: "ls -A | wc -l" }, { workflowId: "wf-idle", on: idle })).stdout).toBe("0\n");
    await idle.close();
    expect(existsSync(join(base, "ws-idle", "wf-idle"))).toBe(false);
  });

  it("a workspace the sandbox uid cannot reach fails start-up in one line, and a call with FAILED_PRECONDITION and bwrap's message", async () => {
    const locked = join(base, "locked");
    await mkdir(join(locked, "ws"), { recursive: true });
    await chmod(locked, 0o700);
    await expect(tools$({ TOOLMESH_BASH_WORKSPACE: join(locked, "ws") })).rejects.toThrow(
      /^TOOLMESH_BASH_WORKSPACE .*locked\/ws is not usable by the sandbox uid 65534 .*bwrap: Can't find source path .*Permission denied$/,
    );
    await chmod(locked, 0o755);
    const later = await tools$({ TOOLMESH_BASH_WORKSPACE: join(locked, "ws") });
    try {
      await chmod(locked, 0o700); // taken away after start-up
      const failed = run({ command: "echo never" }, { workflowId: "wf-locked", on: later });
      await expect(failed).rejects.toMatchObject({
        code: "FAILED_PRECONDITION",
        message: expect.stringMatching(/bwrap: Can't find source path .*Permission denied/),
      });
    } finally {
      await chmod(locked, 0o755);
      await later.close();
    }
  });

  it("has no network: a connect to a listener on the host's loopback fails", async () => {
    const before = connections;
    const out = await run({ command: `exec 3<>/dev/tcp/127.0.0.1/${listenerPort} && echo connected || echo refused` });
    expect(out.stdout).toContain("refused");
    expect(connections).toBe(before);
  });

  it("refuses network: true when the operator did not allow it, a cwd outside the workspace, and a cwd that is not there", async () => {
    await expect(run({ command: "true", network: true })).rejects.toMatchObject({ code: "PERMISSION_DENIED" });
    await expect(run({ command: "pwd", cwd: "../" })).rejects.toMatchObject({ code: "PERMISSION_DENIED" });
    await expect(run({ command: "pwd", cwd: "/etc" })).rejects.toMatchObject({ code: "PERMISSION_DENIED" });
    await expect(run({ command: "pwd", cwd: "missing" })).rejects.toMatchObject({
      code: "NOT_FOUND",
      message: expect.stringContaining("Can't chdir to /work/missing"),
    });
    await run({ command: "mkdir -p sub" });
    expect((await run({ command: "pwd", cwd: "sub" })).stdout).toBe("/work/sub\n");
  });

  it("network: true works where the operator allows it", async () => {
    const open = await tools$({
      TOOLMESH_BASH_WORKSPACE: join(base, "ws-net"),
      TOOLMESH_BASH_ALLOW_NETWORK: "true",
      TOOLMESH_BASH_WORKSPACE_SCOPE: "call",
    });
    const before = connections;
    const out = await run({ command: `exec 3<>/dev/tcp/127.0.0.1/${listenerPort} && cat <&3`, network: true }, { on: open });
    expect(out.stdout).toBe("hello\n");
    expect(connections).toBe(before + 1);
  });

  it("caps output with a truncated flag", async () => {
    const out = await run({ command: "head -c 100000 /dev/zero | tr '\\0' a", maxOutputBytes: 1000 });
    expect(out.stdout).toHaveLength(1000);
    expect(out.truncated).toBe(true);
  });

  it("a timeout is DEADLINE_EXCEEDED with the output so far, and kills the whole process tree", async () => {
    const marker = `sleep-${Date.now()}`;
    const out = run({
      command: `echo before; (bash -c 'exec -a ${marker} sleep 60' &) ; bash -c 'exec -a ${marker} sleep 60'`,
      timeoutMs: 1500,
    });
    await expect(out).rejects.toMatchObject({
      code: "DEADLINE_EXCEEDED",
      message: expect.stringMatching(/timeoutMs 1500.*stdout so far \(7 bytes\): before/s),
    });
    // The group is SIGKILLed; the processes are gone a moment later.
    await expect.poll(() => alive(marker), { timeout: 10_000 }).toBe("");
  });

  it("an idle timeout is DEADLINE_EXCEEDED for a command that stops writing", async () => {
    // Idle long enough that a slow sandbox start on a busy machine is not mistaken for silence.
    const out = run({ command: "echo start; sleep 30", idleTimeoutMs: 2000, timeoutMs: 20_000 });
    await expect(out).rejects.toMatchObject({
      code: "DEADLINE_EXCEEDED",
      message: expect.stringMatching(/idle timeout.*stdout so far \(6 bytes\): start/s),
    });
  });

  it("cancel kills the tree and reports CANCELLED; output chunks stream while it runs", async () => {
    const controller = new AbortController();
    const chunks: string[] = [];
    const marker = `cancel-${Date.now()}`;
    const running = run({ command: `echo first; exec -a ${marker} sleep 60` }, { signal: controller.signal, chunks });
    await expect.poll(() => chunks.join(""), { timeout: 15_000 }).toBe("first\n");
    controller.abort();
    await expect(running).rejects.toMatchObject({ code: "CANCELLED" });
    await expect.poll(() => alive(marker), { timeout: 10_000 }).toBe("");
  });

  it("contains a fork bomb and a memory hog, and keeps serving other calls meanwhile", async () => {
    const marker = `bomb-${Date.now()}`;
    const bomb = run({ command: `bash -c 'b() { b | b & }; b; sleep 5' ${marker}`, timeoutMs: 2000 });
    bomb.catch(() => undefined);
    const hog = run({ command: "python3 -c 'x = bytearray(600 * 1024 * 1024)' 2>&1 | tail -1", timeoutMs: 30_000 });
    const meanwhile = await run({ command: "echo still-serving" });
    expect(meanwhile.stdout).toBe("still-serving\n");
    await expect(bomb).rejects.toMatchObject({ code: "DEADLINE_EXCEEDED" });
    await expect.poll(() => alive(marker), { timeout: 10_000 }).toBe("");
    expect((await hog).stdout).toMatch(/MemoryError/);
  }, 45_000);
});
