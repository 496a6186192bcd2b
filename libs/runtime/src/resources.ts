import { availableParallelism } from "node:os";
import { getHeapStatistics } from "node:v8";
import { cgroupCpuMs, cgroupCpuQuota, cgroupMemory, enclosingMemoryLimit, ownCgroupDir, SYSTEM_PATHS, type CgroupPaths } from "./cgroup.js";
import { descendantsCpuMs } from "./proc-tree.js";

/**
 * A worker instance's own CPU and memory use, for the seed's thresholds
 * (CPU ≥ 90 %, memory ≥ 85 %) in its adaptive limit and in the autoscaler.
 * Never the machine's: on a shared host (toolmesh up on a laptop, a CI
 * runner) the machine is busy with everything else too, and other
 * processes' load is neither a reason to lower this worker's limit nor one
 * to start more workers (idle pools used to climb to their maximums).
 *
 * CPU, percent (0-100), the higher of:
 * - the JS thread: this process's CPU (process.cpuUsage, user + system)
 *   over the window against ONE core (or the cgroup quota if that is less):
 *   a Node worker runs its JS on one thread, so one busy core is a
 *   saturated event loop however many cores the machine has;
 * - the whole instance: its own cgroup's usage (a container's, see
 *   cgroup.ts for "own") or else the process with its descendants from
 *   /proc (ripgrep, bash: a codebase or bash worker's load is mostly
 *   there), against the CPUs it may use: the cgroup's quota, else the
 *   CPUs this process may run on (os.availableParallelism()).
 *
 * Memory, a fraction (0..1), the higher of:
 * - in its own cgroup with a memory limit: the cgroup's working set
 *   (memory.current − inactive file cache, children included) / memory.max;
 * - this process's RSS / the nearest ceiling it has: a memory limit on a
 *   cgroup it shares (v2 memory.max, v1 memory.limit_in_bytes), or else its
 *   budget: V8's heap limit (heap_size_limit). That budget is the process's
 *   own wall (its heap cannot grow past it: "heap out of memory"), sized by
 *   V8 from the machine's or the container's memory (a quarter of it, at
 *   most ~4 GiB), and follows --max-old-space-size when an operator sets
 *   one. An idle worker's RSS (~60-80 MB) is ~2 % of a 4 GiB budget.
 */
export class ResourceSampler {
  readonly #source: ResourceSource;
  #last: CpuReading;

  constructor(source: ResourceSource = systemResources()) {
    this.#source = source;
    this.#last = source.cpu();
  }

  /** CPU use since the last call (or construction), percent of what this instance may use (0-100). */
  cpuPercent(): number {
    const now = this.#source.cpu();
    const last = this.#last;
    this.#last = now;
    return cpuPercentBetween(last, now);
  }

  /** Memory in use / the nearest memory ceiling, 0..1. */
  memoryFraction(): number {
    return memoryFractionOf(this.#source.memory());
  }
}

export interface CpuReading {
  atMs: number;
  /** This process's CPU time, user + system, ms. */
  processMs: number;
  /** The instance's CPU time (cgroup, or process tree), ms; undefined when unknown. */
  instanceMs?: number | undefined;
  /** Where instanceMs came from: readings of different kinds are not compared. */
  instanceKind?: "cgroup" | "tree" | undefined;
  /** CPUs the instance may use (cgroup quota, else this process's CPUs). */
  cpus: number;
}

export interface MemoryReading {
  rssBytes: number;
  /** V8's heap_size_limit: the budget when no cgroup limit is nearer. */
  heapLimitBytes: number;
  /** A memory limit on a cgroup the process shares with others. */
  sharedLimitBytes?: number | undefined;
  /** The instance's own cgroup, when it has a memory limit. */
  cgroup?: { usedBytes: number; limitBytes: number } | undefined;
}

/** Where the sampler reads from: the system by default, fixed numbers in tests. */
export interface ResourceSource {
  cpu(): CpuReading;
  memory(): MemoryReading;
}

export function cpuPercentBetween(last: CpuReading, now: CpuReading): number {
  const wallMs = now.atMs - last.atMs;
  if (wallMs <= 0) return 0;
  const thread = (now.processMs - last.processMs) / (wallMs * Math.min(1, now.cpus));
  let instance = 0;
  if (now.instanceMs !== undefined && last.instanceMs !== undefined && now.instanceKind === last.instanceKind) {
    const used = now.instanceMs - last.instanceMs;
    if (used > 0) instance = used / (wallMs * now.cpus);
  }
  return Math.min(100, Math.max(0, Math.max(thread, instance) * 100));
}

export function memoryFractionOf(m: MemoryReading): number {
  const ceiling = Math.min(m.heapLimitBytes, m.sharedLimitBytes ?? Number.POSITIVE_INFINITY);
  const rss = ceiling > 0 ? m.rssBytes / ceiling : 0;
  const cgroup = m.cgroup ? m.cgroup.usedBytes / m.cgroup.limitBytes : 0;
  return Math.max(0, rss, cgroup);
}

/** Reads this process, its descendants and its cgroups from the system. */
export function systemResources(paths: CgroupPaths = SYSTEM_PATHS): ResourceSource {
  // Computed once: the V8 heap limit and the CPUs a process may run on do not change while it runs.
  const heapLimitBytes = getHeapStatistics().heap_size_limit;
  const processCpus = Math.max(1, availableParallelism());
  return {
    cpu() {
      const atMs = performance.now();
      const usage = process.cpuUsage();
      const processMs = (usage.user + usage.system) / 1000;
      const own = ownCgroupDir(paths);
      if (own) {
        const cgroupMs = cgroupCpuMs(own.dir);
        const quota = own.controllers.includes("cpu") ? cgroupCpuQuota(own.dir) : undefined;
        if (cgroupMs !== undefined) return { atMs, processMs, instanceMs: cgroupMs, instanceKind: "cgroup", cpus: quota ?? processCpus };
      }
      const children = descendantsCpuMs(paths.pid, paths.procRoot);
      return {
        atMs,
        processMs,
        instanceMs: children === undefined ? undefined : processMs + children,
        instanceKind: children === undefined ? undefined : "tree",
        cpus: processCpus,
      };
    },
    memory() {
      const own = ownCgroupDir(paths);
      const cgroup = own?.controllers.includes("memory") ? cgroupMemory(own.dir) : undefined;
      return {
        rssBytes: process.memoryUsage.rss(),
        heapLimitBytes,
        sharedLimitBytes: cgroup ? undefined : enclosingMemoryLimit(paths),
        cgroup,
      };
    },
  };
}
