import { readFileSync, readdirSync } from "node:fs";

/** Fields of /proc/<pid>/stat after the command name, which may itself hold spaces and parentheses. */
function statFields(pid: number): string[] | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  } catch {
    return undefined;
  }
}

/** A process's state letter (R, S, Z, …) and parent, from /proc; undefined once it is gone or off Linux. */
export function procStat(pid: number): { state: string; ppid: number } | undefined {
  const fields = statFields(pid);
  return fields ? { state: fields[0] ?? "?", ppid: Number(fields[1]) } : undefined;
}

/** CPU time (user + system, in clock ticks) a process has used; undefined once it is gone or off Linux. */
export function cpuTicks(pid: number): number | undefined {
  const fields = statFields(pid);
  // utime and stime are fields 14 and 15 of stat; fields[0] here is field 3.
  return fields ? Number(fields[11]) + Number(fields[12]) : undefined;
}

/** The process and all its descendants, from /proc (parent ids of every live process). */
export function processTree(root: number): number[] {
  const children = new Map<number, number[]>();
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    const parent = Number(statFields(Number(entry))?.[1]);
    if (!Number.isInteger(parent)) continue;
    const list = children.get(parent) ?? [];
    list.push(Number(entry));
    children.set(parent, list);
  }
  const tree: number[] = [];
  const visit = (pid: number): void => {
    tree.push(pid);
    for (const child of children.get(pid) ?? []) visit(child);
  };
  visit(root);
  return tree;
}

export interface ProcessMemory {
  pid: number;
  command: string;
  rssBytes: number;
}

/** Resident memory of each live process in `pids` (VmRSS), with its command line. */
export function processMemory(pids: readonly number[]): ProcessMemory[] {
  const out: ProcessMemory[] = [];
  for (const pid of pids) {
    try {
      const status = readFileSync(`/proc/${pid}/status`, "utf8");
      const rssKb = Number(/^VmRSS:\s+(\d+) kB/m.exec(status)?.[1] ?? 0);
      const command = readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0").filter(Boolean).join(" ");
      out.push({ pid, command, rssBytes: rssKb * 1024 });
    } catch {
      // exited meanwhile
    }
  }
  return out;
}
