import { spawn, type ChildProcess } from "node:child_process";
import { randomUUID } from "node:crypto";
import { existsSync, mkdtempSync, readFileSync, readdirSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { repoRoot } from "./stack.js";

export const cliScript = join(repoRoot, "apps/cli/bin/toolmesh.js");

/** A running `toolmesh` process with its output so far, and a way to wait for a line of it. */
export interface CliProcess {
  child: ChildProcess;
  stdout(): string;
  stderr(): string;
  /** Resolves once stderr matches (rejects if the process exits first). */
  waitForStderr(pattern: RegExp): Promise<void>;
  exited: Promise<number | null>;
}

/**
 * Starts the CLI as a real process. With `ownGroup` it leads a process group,
 * so a test can send SIGINT to the whole group as a terminal's Ctrl-C does.
 */
export function startCli(args: string[], env: Record<string, string>, options: { ownGroup?: boolean; cwd?: string } = {}): CliProcess {
  const child = spawn(process.execPath, [cliScript, ...args], {
    cwd: options.cwd ?? repoRoot,
    env: { ...process.env, ...env },
    stdio: ["ignore", "pipe", "pipe"],
    detached: options.ownGroup ?? false,
  });
  let stdout = "";
  let stderr = "";
  const watchers: { pattern: RegExp; resolve: () => void }[] = [];
  child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
  child.stderr.on("data", (d: Buffer) => {
    stderr += d.toString();
    for (const w of watchers.splice(0)) {
      if (w.pattern.test(stderr)) w.resolve();
      else watchers.push(w);
    }
  });
  const exited = new Promise<number | null>((resolve) => child.on("close", (code) => resolve(code)));
  return {
    child,
    stdout: () => stdout,
    stderr: () => stderr,
    exited,
    waitForStderr: (pattern) =>
      new Promise<void>((resolve, reject) => {
        if (pattern.test(stderr)) return resolve();
        watchers.push({ pattern, resolve });
        void exited.then(() => reject(new Error(`toolmesh exited before stderr matched ${pattern}:\n${stderr}`)));
      }),
  };
}

/** Runs the CLI to its end. */
export async function runCli(
  args: string[],
  env: Record<string, string>,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const cli = startCli(args, env);
  const code = await cli.exited;
  return { code, stdout: cli.stdout(), stderr: cli.stderr() };
}

/** A variable unique to one test; every process started under it inherits it. */
export function uniqueMarker(): { key: string; value: string; env: Record<string, string> } {
  const key = "TOOLMESH_TEST_MARKER";
  const value = randomUUID();
  return { key, value, env: { [key]: value } };
}

/** Live processes whose environment carries `key=value` (children of a CLI run inherit it). */
export function processesWithMarker(marker: { key: string; value: string }): number[] {
  const needle = `${marker.key}=${marker.value}`;
  const pids: number[] = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const environ = readFileSync(`/proc/${entry}/environ`, "latin1");
      const state = readFileSync(`/proc/${entry}/stat`, "utf8").split(") ")[1]?.[0];
      if (state !== "Z" && environ.split("\0").includes(needle)) pids.push(Number(entry));
    } catch {
      // gone already, or not ours to read
    }
  }
  return pids;
}

/** Waits (polling /proc) until no process carries the marker; returns the stragglers on timeout. */
export async function waitUntilNoneLeft(marker: { key: string; value: string }, timeoutMs: number): Promise<number[]> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const left = processesWithMarker(marker);
    if (left.length === 0 || Date.now() > until) return left;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/**
 * A PATH with only node and nats-server on it: what a fresh machine without
 * the optional tools (bubblewrap, ripgrep) offers.
 */
export function pathWithoutOptionalTools(): string {
  const dir = mkdtempSync(join(tmpdir(), "toolmesh-bare-path-"));
  symlinkSync(process.execPath, join(dir, "node"));
  const natsServer = ["/usr/sbin/nats-server", "/usr/bin/nats-server", "/usr/local/bin/nats-server"].find((p) => existsSync(p));
  if (natsServer) symlinkSync(natsServer, join(dir, "nats-server"));
  return dir;
}
