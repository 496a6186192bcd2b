import {
  ResourceSampler,
  cpuPercentBetween,
  descendantsCpuMs,
  memoryFractionOf,
  ownCgroupDir,
  parseStat,
  systemResources,
  unifiedCgroupDir,
  type CpuReading,
  type MemoryReading,
  type ResourceSource,
} from "@toolmesh/runtime";
import { spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { availableParallelism, tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";

const GiB = 2 ** 30;
const MiB = 2 ** 20;

describe("cpuPercentBetween: the instance's own CPU, never the machine's", () => {
  const at = (atMs: number, processMs: number, over: Partial<CpuReading> = {}): CpuReading => ({ atMs, processMs, cpus: 2, ...over });

  it("the JS thread against one core, however many the instance may use", () => {
    expect(cpuPercentBetween(at(0, 0), at(1000, 500))).toBeCloseTo(50);
    expect(cpuPercentBetween(at(0, 0, { cpus: 16 }), at(1000, 950, { cpus: 16 }))).toBeCloseTo(95);
  });

  it("the process tree (ripgrep, bash) against all its CPUs, when that is busier", () => {
    // 100 ms in the process and 1.5 s in its children over 1 s on 2 CPUs: 80 % of the instance's CPUs.
    const last = at(0, 0, { instanceMs: 0, instanceKind: "tree" });
    expect(cpuPercentBetween(last, at(1000, 100, { instanceMs: 1600, instanceKind: "tree" }))).toBeCloseTo(80);
  });

  it("a cgroup quota below one core is the thread's denominator too", () => {
    expect(cpuPercentBetween(at(0, 0, { cpus: 0.5 }), at(1000, 450, { cpus: 0.5 }))).toBeCloseTo(90);
  });

  it("caps at 100, and does not compare a cgroup reading with a process-tree one", () => {
    expect(cpuPercentBetween(at(0, 0), at(1000, 1300))).toBe(100);
    const tree = at(0, 0, { instanceMs: 0, instanceKind: "tree" });
    expect(cpuPercentBetween(tree, at(1000, 100, { instanceMs: 5_000_000, instanceKind: "cgroup" }))).toBeCloseTo(10);
    expect(cpuPercentBetween(at(1000, 0), at(1000, 10))).toBe(0);
  });
});

describe("memoryFractionOf: the process against its own ceiling", () => {
  const m = (over: Partial<MemoryReading> = {}): MemoryReading => ({ rssBytes: 80 * MiB, heapLimitBytes: 4 * GiB, ...over });

  it("without a cgroup limit, RSS against V8's heap limit (an idle worker is a few percent)", () => {
    expect(memoryFractionOf(m())).toBeCloseTo(80 / 4096);
    expect(memoryFractionOf(m({ rssBytes: 3.6 * GiB }))).toBeCloseTo(0.9);
  });

  it("a shared cgroup's limit, when nearer than the heap limit", () => {
    expect(memoryFractionOf(m({ rssBytes: 900 * MiB, sharedLimitBytes: GiB }))).toBeCloseTo(900 / 1024);
    expect(memoryFractionOf(m({ sharedLimitBytes: 64 * GiB }))).toBeCloseTo(80 / 4096);
  });

  it("its own cgroup's working set against memory.max (children included), when higher", () => {
    expect(memoryFractionOf(m({ cgroup: { usedBytes: 450 * MiB, limitBytes: 512 * MiB } }))).toBeCloseTo(450 / 512);
  });
});

describe("ResourceSampler", () => {
  it("reads its source once per call, each CPU figure over the window since the last", () => {
    const readings: CpuReading[] = [
      { atMs: 0, processMs: 0, cpus: 2 },
      { atMs: 2000, processMs: 200, cpus: 2 },
      { atMs: 4000, processMs: 2000, cpus: 2 },
    ];
    const source: ResourceSource = { cpu: () => readings.shift()!, memory: () => ({ rssBytes: GiB, heapLimitBytes: 2 * GiB }) };
    const sampler = new ResourceSampler(source);
    expect(sampler.cpuPercent()).toBeCloseTo(10);
    expect(sampler.cpuPercent()).toBeCloseTo(90);
    expect(sampler.memoryFraction()).toBeCloseTo(0.5);
  });
});

/** A fake /proc and /sys/fs/cgroup: processes with their parent, CPU ticks and cgroup, and cgroup files. */
class FakeSystem {
  readonly root = mkdtempSync(join(tmpdir(), "toolmesh-resources-"));
  readonly procRoot = join(this.root, "proc");
  readonly cgroupRoot = join(this.root, "cgroup");

  process(
    pid: number,
    ppid: number,
    ticks: { utime?: number; stime?: number; cutime?: number; cstime?: number } = {},
    options: { cgroup?: string; children?: number[]; comm?: string } = {},
  ): this {
    const dir = join(this.procRoot, String(pid));
    mkdirSync(join(dir, "task", String(pid)), { recursive: true });
    // Fields 3..17: state ppid pgrp session tty tpgid flags minflt cminflt majflt cmajflt utime stime cutime cstime.
    const { utime = 0, stime = 0, cutime = 0, cstime = 0 } = ticks;
    writeFileSync(
      join(dir, "stat"),
      `${pid} (${options.comm ?? "node"}) S ${ppid} ${pid} ${pid} 0 -1 4194560 100 0 0 0 ${utime} ${stime} ${cutime} ${cstime} 20 0 1 0\n`,
    );
    writeFileSync(join(dir, "cgroup"), options.cgroup ?? "0::/\n");
    writeFileSync(join(dir, "task", String(pid), "children"), (options.children ?? []).map((c) => `${c} `).join(""));
    return this;
  }

  cgroup(path: string, files: Record<string, string>): this {
    const dir = join(this.cgroupRoot, path);
    mkdirSync(dir, { recursive: true });
    for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
    return this;
  }

  paths(pid: number) {
    return { procRoot: this.procRoot, cgroupRoot: this.cgroupRoot, pid };
  }

  remove(): void {
    rmSync(this.root, { recursive: true, force: true });
  }
}

describe("/proc and cgroup v2 reads", () => {
  let fake: FakeSystem | undefined;
  afterEach(() => fake?.remove());

  it("parses a stat line whose command name holds spaces and parentheses", () => {
    expect(parseStat("42 (rg (x) y) R 7 42 42 0 -1 0 0 0 0 0 150 50 30 20 20 0 1 0")).toEqual({ ppid: 7, selfMs: 2000, reapedMs: 500 });
    expect(parseStat("garbage")).toBeUndefined();
  });

  it("sums reaped children and every live descendant, not the process itself", () => {
    fake = new FakeSystem()
      .process(100, 1, { utime: 999, cutime: 10, cstime: 5 }, { children: [101, 102] })
      .process(101, 100, { utime: 20, stime: 10, cutime: 3 }, { children: [103] })
      .process(102, 100, { utime: 7 })
      .process(103, 101, { stime: 40 });
    // (10 + 5) + (20 + 10 + 3) + 7 + 40 ticks of 10 ms.
    expect(descendantsCpuMs(100, fake.procRoot)).toBe(950);
  });

  it("a cgroup v2 with controllers whose members are the process, an ancestor and descendants is its own", () => {
    fake = new FakeSystem()
      .process(1, 0)
      .process(10, 1, {}, { cgroup: "0::/pod/worker\n" })
      .process(20, 10, {}, { cgroup: "0::/pod/worker\n", children: [30] })
      .process(30, 20, {}, { cgroup: "0::/pod/worker\n" })
      .cgroup("pod/worker", { "cgroup.controllers": "cpuset cpu io memory pids\n", "cgroup.procs": "10\n20\n30\n" });
    expect(ownCgroupDir(fake.paths(20))).toEqual({
      dir: join(fake.cgroupRoot, "pod/worker"),
      controllers: ["cpuset", "cpu", "io", "memory", "pids"],
    });
  });

  it("one sibling in it (toolmesh up's other services in a login session) and it is not", () => {
    fake = new FakeSystem()
      .process(1, 0)
      .process(10, 1, {}, { cgroup: "0::/user.slice/session-1.scope\n" })
      .process(20, 10, {}, { cgroup: "0::/user.slice/session-1.scope\n" })
      .process(21, 10, {}, { cgroup: "0::/user.slice/session-1.scope\n" })
      .cgroup("user.slice/session-1.scope", { "cgroup.controllers": "cpu memory pids\n", "cgroup.procs": "10\n20\n21\n" });
    expect(unifiedCgroupDir(fake.paths(20))).toBeDefined();
    expect(ownCgroupDir(fake.paths(20))).toBeUndefined();
  });

  it("no controllers (a hybrid host's unified tree) or no cgroup v2 line: no cgroup to read", () => {
    fake = new FakeSystem()
      .process(1, 0)
      .process(20, 1, {}, { cgroup: "0::/\n" })
      .process(30, 1, {}, { cgroup: "4:memory:/some/job\n1:cpu:/\n" })
      .cgroup("", { "cgroup.controllers": "", "cgroup.procs": "20\n" });
    expect(ownCgroupDir(fake.paths(20))).toBeUndefined();
    expect(ownCgroupDir(fake.paths(30))).toBeUndefined();
  });

  it("in its own cgroup, CPU is the cgroup's usage against its quota and memory its working set against memory.max", () => {
    fake = new FakeSystem()
      .process(1, 0)
      .process(20, 1, {}, { cgroup: "0::/\n" })
      .cgroup("", {
        "cgroup.controllers": "cpu memory\n",
        "cgroup.procs": "1\n20\n",
        "cpu.stat": "usage_usec 2500000\nuser_usec 2000000\nsystem_usec 500000\n",
        "cpu.max": "150000 100000\n",
        "memory.max": `${512 * MiB}\n`,
        "memory.current": `${300 * MiB}\n`,
        "memory.stat": `anon ${200 * MiB}\ninactive_file ${44 * MiB}\nactive_file ${56 * MiB}\n`,
      });
    const source = systemResources(fake.paths(20));
    expect(source.cpu()).toMatchObject({ instanceMs: 2500, instanceKind: "cgroup", cpus: 1.5 });
    expect(source.memory().cgroup).toEqual({ usedBytes: 256 * MiB, limitBytes: 512 * MiB });
  });

  it("a memory limit on a cgroup it shares (v1 here) is a ceiling for its RSS", () => {
    fake = new FakeSystem()
      .process(1, 0)
      .process(20, 1, {}, { cgroup: "4:memory:/batch/job7\n3:cpu:/\n0::/\n" })
      .cgroup("memory/batch/job7", { "memory.limit_in_bytes": `${GiB}\n` });
    expect(systemResources(fake.paths(20)).memory()).toMatchObject({ sharedLimitBytes: GiB, cgroup: undefined });
    // Unlimited (2^63 rounded to a page) is no limit.
    fake.cgroup("memory/batch/job7", { "memory.limit_in_bytes": "9223372036854771712\n" });
    expect(systemResources(fake.paths(20)).memory().sharedLimitBytes).toBeUndefined();
  });
});

describe("on this machine", () => {
  const burn = "const end = Date.now() + 60000; while (Date.now() < end) {}";
  const children: number[] = [];
  afterEach(() => {
    for (const pid of children.splice(0)) {
      try {
        process.kill(pid, "SIGKILL");
      } catch {
        // gone
      }
    }
  });

  /** Waits (polling, no fixed sleep) until `condition` holds. */
  async function until(condition: () => boolean, timeoutMs = 20_000): Promise<void> {
    const start = Date.now();
    while (!condition()) {
      if (Date.now() - start > timeoutMs) throw new Error("condition not met in time");
      await new Promise((r) => setTimeout(r, 20));
    }
  }
  const cpuMsOf = (pid: number): number => descendantsCpuMs(pid) ?? 0;

  it("another process burning a core does not show in this worker's CPU", async () => {
    // A shell starts the burner in the background and exits: the burner is not our descendant.
    const sh = spawn("sh", ["-c", `${JSON.stringify(process.execPath)} -e ${JSON.stringify(burn)} >/dev/null 2>&1 & echo $!`], {
      stdio: ["ignore", "pipe", "ignore"],
    });
    const pid = await new Promise<number>((resolve) => sh.stdout.once("data", (d: Buffer) => resolve(Number(String(d).trim()))));
    children.push(pid);
    await new Promise((r) => sh.once("exit", r));
    const sampler = new ResourceSampler();
    const burnerStart = readTicksMs(pid);
    // The burner used a second of CPU (a whole core on a quiet machine) while we did nothing.
    await until(() => readTicksMs(pid) - burnerStart >= 1000);
    expect(sampler.cpuPercent()).toBeLessThan(50);
    expect(sampler.memoryFraction()).toBeLessThan(0.5);
  });

  it("a child of its own burning CPU does show, as the instance's share of its CPUs", async () => {
    const startedAt = performance.now();
    const sampler = new ResourceSampler();
    const before = cpuMsOf(process.pid);
    const child = spawn(process.execPath, ["-e", burn], { stdio: "ignore" });
    children.push(child.pid!);
    await until(() => cpuMsOf(process.pid) - before >= 1000);
    const percent = sampler.cpuPercent();
    const wallMs = performance.now() - startedAt;
    // At least the child's second over the wall time spent, on the CPUs this process may use.
    expect(percent).toBeGreaterThanOrEqual((100 * 1000) / (wallMs * availableParallelism()) - 1);
    expect(systemResources().cpu().instanceKind).toMatch(/^(tree|cgroup)$/);
  });
});

/** CPU ms a process has used itself, from /proc (0 once it is gone). */
function readTicksMs(pid: number): number {
  try {
    return parseStat(readFileSync(`/proc/${pid}/stat`, "utf8"))?.selfMs ?? 0;
  } catch {
    return 0;
  }
}
