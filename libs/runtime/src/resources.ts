import { readFileSync } from "node:fs";
import { cpus, freemem, totalmem } from "node:os";

/**
 * CPU and memory use against what this process may use: the cgroup v2
 * limits where there are some (a container's CPU quota and memory.max),
 * otherwise the whole machine's. These, not the Node process's own
 * numbers, are what the seed's thresholds (CPU ≥ 90 %, memory ≥ 85 %) mean:
 * a codebase or bash worker's load is mostly in its child processes.
 */
export class ResourceSampler {
  readonly #cgroupDir: string | undefined;
  #lastCpu = this.#cpuTimes();

  constructor() {
    this.#cgroupDir = unifiedCgroupDir();
  }

  /** CPU use since the last call, percent of the CPU this process may use (0-100). */
  cpuPercent(): number {
    const now = this.#cpuTimes();
    const busy = now.busyMs - this.#lastCpu.busyMs;
    const wall = now.atMs - this.#lastCpu.atMs;
    this.#lastCpu = now;
    if (wall <= 0) return 0;
    return Math.min(100, Math.max(0, (busy / (wall * now.cores)) * 100));
  }

  /** Memory in use / the memory limit, 0..1. */
  memoryFraction(): number {
    const limit = this.#cgroupDir ? readNumber(`${this.#cgroupDir}/memory.max`) : undefined;
    const current = this.#cgroupDir ? readNumber(`${this.#cgroupDir}/memory.current`) : undefined;
    if (limit && current !== undefined) return current / limit;
    return 1 - freemem() / totalmem();
  }

  #cpuTimes(): { busyMs: number; atMs: number; cores: number } {
    const atMs = performance.now();
    if (this.#cgroupDir) {
      const usageUsec = readStat(`${this.#cgroupDir}/cpu.stat`, "usage_usec");
      const quota = readQuota(`${this.#cgroupDir}/cpu.max`);
      if (usageUsec !== undefined && quota !== undefined) return { busyMs: usageUsec / 1000, atMs, cores: quota };
    }
    // The machine: busy time of all cores.
    let busy = 0;
    const all = cpus();
    for (const cpu of all) busy += cpu.times.user + cpu.times.nice + cpu.times.sys + cpu.times.irq;
    return { busyMs: busy, atMs, cores: Math.max(1, all.length) };
  }
}

/** /sys/fs/cgroup/<path> of this process under cgroup v2, if it has one with controllers. */
function unifiedCgroupDir(): string | undefined {
  try {
    const line = readFileSync("/proc/self/cgroup", "utf8").split("\n").find((l) => l.startsWith("0::"));
    if (!line) return undefined;
    const dir = `/sys/fs/cgroup${line.slice(3)}`.replace(/\/$/, "");
    readFileSync(`${dir}/cpu.stat`, "utf8");
    return dir;
  } catch {
    return undefined;
  }
}

function readNumber(path: string): number | undefined {
  try {
    const value = Number(readFileSync(path, "utf8").trim());
    return Number.isFinite(value) ? value : undefined;
  } catch {
    return undefined;
  }
}

function readStat(path: string, key: string): number | undefined {
  try {
    const line = readFileSync(path, "utf8").split("\n").find((l) => l.startsWith(`${key} `));
    return line ? Number(line.split(" ")[1]) : undefined;
  } catch {
    return undefined;
  }
}

/** CPUs the cgroup may use: quota / period, or undefined when unlimited. */
function readQuota(path: string): number | undefined {
  try {
    const [quota, period] = readFileSync(path, "utf8").trim().split(" ");
    if (!quota || quota === "max" || !period) return undefined;
    return Number(quota) / Number(period);
  } catch {
    return undefined;
  }
}
