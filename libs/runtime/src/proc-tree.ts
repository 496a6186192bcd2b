import { readFileSync, readdirSync } from "node:fs";

/**
 * CPU time of a process tree from /proc (Linux): the process itself, the
 * children it has already reaped (cutime + cstime) and every live
 * descendant (their own time plus what they reaped). The total only grows:
 * when a child exits its time moves from "live descendant" into its
 * parent's cutime/cstime, so a long ripgrep or bash command shows up window
 * by window while it runs instead of all at once when it ends.
 */

/** /proc reports times in USER_HZ ticks, fixed at 100 per second by the kernel's ABI. */
const TICK_MS = 10;
/** Beyond this many descendants the walk stops (a fork bomb in a sandbox must not make sampling expensive). */
const MAX_DESCENDANTS = 256;

export interface ProcTimes {
  /** utime + stime, ms. */
  selfMs: number;
  /** cutime + cstime: children waited for, and what they waited for, ms. */
  reapedMs: number;
  ppid: number;
}

/** Fields of /proc/<pid>/stat after the command name (which may hold spaces and parentheses). */
export function parseStat(text: string): ProcTimes | undefined {
  const end = text.lastIndexOf(")");
  if (end < 0) return undefined;
  // After ") ": state(3) ppid(4) … utime(14) stime(15) cutime(16) cstime(17), 1-based over the whole line.
  const fields = text.slice(end + 2).split(" ");
  const at = (n: number): number => Number(fields[n - 3]);
  const [ppid, utime, stime, cutime, cstime] = [at(4), at(14), at(15), at(16), at(17)];
  if (![ppid, utime, stime, cutime, cstime].every(Number.isFinite)) return undefined;
  return { selfMs: (utime + stime) * TICK_MS, reapedMs: (cutime + cstime) * TICK_MS, ppid };
}

export function readProcTimes(pid: number, procRoot = "/proc"): ProcTimes | undefined {
  try {
    return parseStat(readFileSync(`${procRoot}/${pid}/stat`, "utf8"));
  } catch {
    return undefined;
  }
}

/** Direct children of `pid` (every thread's list: any thread may have forked), or undefined where the kernel does not say. */
export function childrenOf(pid: number, procRoot = "/proc"): number[] | undefined {
  try {
    const tasks = readdirNames(`${procRoot}/${pid}/task`);
    const children: number[] = [];
    for (const tid of tasks) {
      const text = readFileSync(`${procRoot}/${pid}/task/${tid}/children`, "utf8").trim();
      if (text) for (const child of text.split(/\s+/)) children.push(Number(child));
    }
    return children;
  } catch {
    return undefined;
  }
}

/**
 * CPU ms used so far by `pid`'s reaped children and its live descendants
 * (not by `pid` itself), or undefined when /proc cannot tell.
 */
export function descendantsCpuMs(pid: number, procRoot = "/proc"): number | undefined {
  const self = readProcTimes(pid, procRoot);
  if (!self) return undefined;
  let total = self.reapedMs;
  const queue = childrenOf(pid, procRoot) ?? [];
  let seen = 0;
  while (queue.length > 0 && seen < MAX_DESCENDANTS) {
    const child = queue.shift()!;
    seen += 1;
    const times = readProcTimes(child, procRoot);
    if (!times) continue; // gone between the two reads: its time is in its parent's cutime now (or next time)
    total += times.selfMs + times.reapedMs;
    queue.push(...(childrenOf(child, procRoot) ?? []));
  }
  return total;
}

function readdirNames(path: string): string[] {
  return readdirSync(path).filter((n) => /^\d+$/.test(n));
}
