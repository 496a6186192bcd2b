import { readFileSync } from "node:fs";
import { readProcTimes } from "./proc-tree.js";

/**
 * Reads of the cgroups this process is in. A cgroup's numbers describe the
 * worker only when the cgroup is its own: a container's, or one a
 * supervisor made for it. Under `toolmesh up` on a desktop, every process
 * shares the login session's cgroup, whose CPU and memory are everybody's.
 */

export interface CgroupPaths {
  /** Where cgroupfs is mounted (/sys/fs/cgroup). */
  cgroupRoot: string;
  /** Where procfs is mounted (/proc). */
  procRoot: string;
  pid: number;
}

export const SYSTEM_PATHS: CgroupPaths = { cgroupRoot: "/sys/fs/cgroup", procRoot: "/proc", pid: process.pid };

/** Memory limits at or above this are "unlimited" (cgroup v1 writes 2^63 rounded to a page). */
const UNLIMITED_BYTES = 2 ** 60;
/** How far up or down the process tree membership is traced. */
const MAX_DEPTH = 64;

/** `0::/path` of /proc/<pid>/cgroup: the process's cgroup v2 path, if it has one. */
function unifiedPath(paths: CgroupPaths): string | undefined {
  const lines = readText(`${paths.procRoot}/${paths.pid}/cgroup`)?.split("\n") ?? [];
  const line = lines.find((l) => l.startsWith("0::"));
  return line?.slice(3).trim();
}

/** The cgroup v2 directory of the process when it has controllers (a pure v2 mount; hybrid hosts have none). */
export function unifiedCgroupDir(paths: CgroupPaths = SYSTEM_PATHS): { dir: string; controllers: string[] } | undefined {
  const path = unifiedPath(paths);
  if (path === undefined) return undefined;
  const dir = `${paths.cgroupRoot}${path}`.replace(/\/$/, "");
  const controllers = readText(`${dir}/cgroup.controllers`)?.trim().split(/\s+/).filter(Boolean);
  if (!controllers || controllers.length === 0) return undefined;
  return { dir, controllers };
}

/**
 * The process's cgroup v2 directory if it is the process's own: every
 * member is this process, one of its ancestors (a container's init, a
 * shell that exec'd it) or one of its descendants (ripgrep, bash). One
 * sibling or stranger, and the cgroup's numbers are not this worker's.
 */
export function ownCgroupDir(paths: CgroupPaths = SYSTEM_PATHS): { dir: string; controllers: string[] } | undefined {
  const found = unifiedCgroupDir(paths);
  if (!found) return undefined;
  const members = readText(`${found.dir}/cgroup.procs`)?.trim().split(/\s+/).filter(Boolean).map(Number);
  if (!members || members.length === 0) return undefined;
  const ancestors = new Set<number>();
  for (let pid = paths.pid, depth = 0; pid > 1 && depth < MAX_DEPTH; depth += 1) {
    const ppid = readProcTimes(pid, paths.procRoot)?.ppid;
    if (ppid === undefined) break;
    ancestors.add(ppid);
    pid = ppid;
  }
  const isDescendant = (member: number): boolean => {
    for (let pid = member, depth = 0; pid > 1 && depth < MAX_DEPTH; depth += 1) {
      const ppid = readProcTimes(pid, paths.procRoot)?.ppid;
      if (ppid === undefined) return true; // exited since cgroup.procs was read: nothing of it to count
      if (ppid === paths.pid) return true;
      pid = ppid;
    }
    return false;
  };
  const own = members.every((m) => m === paths.pid || ancestors.has(m) || isDescendant(m));
  return own ? found : undefined;
}

/** usage_usec of cpu.stat in ms: the CPU time of everything in the cgroup. */
export function cgroupCpuMs(dir: string): number | undefined {
  const line = readText(`${dir}/cpu.stat`)
    ?.split("\n")
    .find((l) => l.startsWith("usage_usec "));
  const usec = line ? Number(line.split(" ")[1]) : Number.NaN;
  return Number.isFinite(usec) ? usec / 1000 : undefined;
}

/** CPUs the cgroup may use: cpu.max's quota / period, or undefined when unlimited. */
export function cgroupCpuQuota(dir: string): number | undefined {
  const [quota, period] = readText(`${dir}/cpu.max`)?.trim().split(" ") ?? [];
  if (!quota || quota === "max" || !period) return undefined;
  const cpus = Number(quota) / Number(period);
  return Number.isFinite(cpus) && cpus > 0 ? cpus : undefined;
}

/**
 * The cgroup's memory in use and its limit: memory.current less the
 * inactive file cache (what the kernel reclaims before it kills anything;
 * the kubelet's "working set"), against memory.max. Undefined without a limit.
 */
export function cgroupMemory(dir: string): { usedBytes: number; limitBytes: number } | undefined {
  const limitBytes = readLimit(`${dir}/memory.max`);
  const current = Number(readText(`${dir}/memory.current`)?.trim());
  if (limitBytes === undefined || !Number.isFinite(current)) return undefined;
  const inactive = readText(`${dir}/memory.stat`)
    ?.split("\n")
    .find((l) => l.startsWith("inactive_file "));
  const inactiveBytes = inactive ? Number(inactive.split(" ")[1]) || 0 : 0;
  return { usedBytes: Math.max(0, current - inactiveBytes), limitBytes };
}

/**
 * A memory limit on the cgroup the process is in, shared or not: cgroup v2
 * memory.max, else cgroup v1's memory.limit_in_bytes (at the process's path,
 * or at the mount's root where a container's namespace puts it).
 */
export function enclosingMemoryLimit(paths: CgroupPaths = SYSTEM_PATHS): number | undefined {
  const lines = readText(`${paths.procRoot}/${paths.pid}/cgroup`)?.split("\n") ?? [];
  const v2 = lines
    .find((l) => l.startsWith("0::"))
    ?.slice(3)
    .trim();
  if (v2 !== undefined) {
    const limit = readLimit(`${paths.cgroupRoot}${v2}`.replace(/\/$/, "") + "/memory.max");
    if (limit !== undefined) return limit;
  }
  const v1 = lines
    .map((l) => l.split(":"))
    .find((f) => f[1]?.split(",").includes("memory"))?.[2]
    ?.trim();
  if (v1 === undefined) return undefined;
  return (
    readLimit(`${paths.cgroupRoot}/memory${v1}`.replace(/\/$/, "") + "/memory.limit_in_bytes") ??
    readLimit(`${paths.cgroupRoot}/memory/memory.limit_in_bytes`)
  );
}

function readLimit(path: string): number | undefined {
  const text = readText(path)?.trim();
  if (!text || text === "max") return undefined;
  const bytes = Number(text);
  return Number.isFinite(bytes) && bytes > 0 && bytes < UNLIMITED_BYTES ? bytes : undefined;
}

function readText(path: string): string | undefined {
  try {
    return readFileSync(path, "utf8");
  } catch {
    return undefined;
  }
}
