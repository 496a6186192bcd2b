import { parseStat } from "@toolmesh/runtime";
import { readFileSync } from "node:fs";

/**
 * What the bench reads of a process from /proc (Linux): CPU time so far
 * (utime + stime of /proc/<pid>/stat, in ms) and resident memory (VmRSS of
 * /proc/<pid>/status). Both are undefined where /proc cannot be read: gone,
 * another pid namespace, or not Linux; the report says so instead of
 * counting it as zero.
 */

/** utime + stime in ms from the text of /proc/<pid>/stat, or undefined if it is not one. */
export function statCpuMs(statText: string): number | undefined {
  return parseStat(statText)?.selfMs;
}

/** VmRSS in kB from the text of /proc/<pid>/status, or undefined if it has none (a zombie, a kernel thread). */
export function statusRssKb(statusText: string): number | undefined {
  const match = /^VmRSS:\s+(\d+)\s+kB$/m.exec(statusText);
  return match ? Number(match[1]) : undefined;
}

function readProc(pid: number, file: string): string | undefined {
  try {
    return readFileSync(`/proc/${pid}/${file}`, "utf8");
  } catch {
    return undefined;
  }
}

export function cpuMs(pid: number): number | undefined {
  const text = readProc(pid, "stat");
  return text === undefined ? undefined : statCpuMs(text);
}

export function rssKb(pid: number): number | undefined {
  const text = readProc(pid, "status");
  return text === undefined ? undefined : statusRssKb(text);
}

/** The process's command name (/proc/<pid>/comm), to check a pid someone else reported is what they said. */
export function commandName(pid: number): string | undefined {
  return readProc(pid, "comm")?.trim();
}

/** `process_id` from the text of Redis's `INFO server`, or undefined. */
export function redisInfoPid(infoText: string): number | undefined {
  const match = /^process_id:(\d+)\r?$/m.exec(infoText);
  return match ? Number(match[1]) : undefined;
}

/** The whole machine's CPU so far, ms summed over cores, from the first line of /proc/stat. */
export interface MachineCpu {
  /** user + nice + system + irq + softirq: time some process (or the kernel for it) ran. */
  busyMs: number;
  /** Time the hypervisor gave to other guests while this one wanted to run. */
  stealMs: number;
}

/** The aggregate "cpu" line of /proc/stat's text (USER_HZ = 100 ticks a second), or undefined. */
export function statMachineCpu(procStatText: string): MachineCpu | undefined {
  const line = /^cpu\s+(.*)$/m.exec(procStatText)?.[1];
  if (!line) return undefined;
  const f = line.trim().split(/\s+/).map(Number);
  if (f.length < 8 || f.slice(0, 8).some((v) => !Number.isFinite(v))) return undefined;
  const [user, nice, system, , , irq, softirq, steal] = f as [number, number, number, number, number, number, number, number];
  return { busyMs: (user + nice + system + irq + softirq) * 10, stealMs: steal * 10 };
}

export function machineCpu(): MachineCpu | undefined {
  try {
    return statMachineCpu(readFileSync("/proc/stat", "utf8"));
  } catch {
    return undefined;
  }
}
