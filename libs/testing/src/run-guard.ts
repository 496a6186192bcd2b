import { procStat } from "@toolmesh/local";
import { readdirSync, readFileSync, readlinkSync } from "node:fs";
import { setTimeout as sleep } from "node:timers/promises";

/**
 * Everything a test run starts carries this variable in its environment (the
 * vitest globalSetup sets it before any worker exists, and child processes
 * inherit it), so what is still running after the run can be found and killed
 * without knowing who started it.
 */
export const RUN_MARKER = "TOOLMESH_TEST_RUN";

export interface RunProcess {
  pid: number;
  ppid: number;
  command: string;
  /** "marker" (its environment) or "cwd" (it works inside the run's temp dir). */
  found: "marker" | "cwd";
}

/** The temp directory of a run: TMPDIR of every test process, removed at the end. */
export function runTempDirName(runId: string): string {
  return `toolmesh-test-${runId.replace(/[^A-Za-z0-9-]/g, "").slice(0, 36)}`;
}

function commandOf(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0").filter(Boolean).join(" ");
  } catch {
    return "?";
  }
}

/** This process and its ancestors: they carry the marker too when a script set it before starting the run. */
export function lineage(pid = process.pid): Set<number> {
  const pids = new Set<number>();
  for (let current = pid; current > 1 && !pids.has(current);) {
    pids.add(current);
    const info = procStat(current);
    if (!info) break;
    current = info.ppid;
  }
  return pids;
}

/** Alive (zombies are dead: their parent only has not reaped them yet). */
export function isAlive(pid: number): boolean {
  const info = procStat(pid);
  return info !== undefined && info.state !== "Z" && info.state !== "X";
}

/**
 * Processes of the run `runId`: those with `TOOLMESH_TEST_RUN=<runId>` in their
 * environment, and those whose working directory is inside `tempDir` (the bash
 * pool's sandboxed commands get an allow-listed environment, not ours).
 */
export function runProcesses(runId: string, options: { tempDir?: string; exclude?: Iterable<number> } = {}): RunProcess[] {
  const exclude = new Set(options.exclude ?? []);
  const needle = Buffer.from(`${RUN_MARKER}=${runId}\0`);
  const found: RunProcess[] = [];
  for (const entry of readdirSync("/proc")) {
    const pid = Number(entry);
    if (!Number.isInteger(pid) || pid <= 1 || exclude.has(pid)) continue;
    let how: RunProcess["found"] | undefined;
    try {
      const environ = readFileSync(`/proc/${pid}/environ`);
      if (environ.indexOf(needle) === 0 || environ.indexOf(Buffer.concat([Buffer.from("\0"), needle])) >= 0) how = "marker";
    } catch {
      // gone, or a kernel thread
    }
    if (!how && options.tempDir) {
      try {
        const cwd = readlinkSync(`/proc/${pid}/cwd`);
        if (cwd === options.tempDir || cwd.startsWith(`${options.tempDir}/`)) how = "cwd";
      } catch {
        // gone
      }
    }
    if (!how) continue;
    const info = procStat(pid);
    if (!info || info.state === "Z") continue;
    found.push({ pid, ppid: info.ppid, command: commandOf(pid), found: how });
  }
  return found;
}

/** SIGTERM, then SIGKILL to whatever is still alive after `graceMs`. Returns those that needed SIGKILL. */
export async function killProcesses(pids: number[], graceMs = 3000): Promise<number[]> {
  const signal = (pid: number, sig: NodeJS.Signals): void => {
    try {
      process.kill(pid, sig);
    } catch {
      // already gone
    }
  };
  for (const pid of pids) signal(pid, "SIGTERM");
  const deadline = Date.now() + graceMs;
  while (pids.some(isAlive) && Date.now() < deadline) await sleep(50);
  const stubborn = pids.filter(isAlive);
  for (const pid of stubborn) signal(pid, "SIGKILL");
  const killDeadline = Date.now() + 2000;
  while (stubborn.some(isAlive) && Date.now() < killDeadline) await sleep(20);
  return stubborn;
}

export function describeProcesses(list: RunProcess[]): string {
  return list
    .map((p) => `  ${p.pid} (parent ${p.ppid}${p.found === "cwd" ? ", in the run's temp dir" : ""}) ${p.command.slice(0, 200)}`)
    .join("\n");
}
