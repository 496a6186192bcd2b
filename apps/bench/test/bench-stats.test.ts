import { describe, expect, it } from "vitest";
import { cpuBreakdown, formatTable, writesLine } from "../src/bench-table.js";
import { BenchOptionsError, benchOptions, BENCH_DEFAULTS } from "../src/options.js";
import { commandName, redisInfoPid, statCpuMs, statMachineCpu, statusRssKb } from "../src/proc-sample.js";
import { othersShare, rotation, processesOf, writeDeltas, type RoundSample } from "../src/rounds.js";
import { formatSpread, medianOf, percentileOf, spreadOf } from "../src/round-stats.js";
import { addedP50, cpuPerCallOf, ratioRow, summarizeSystem } from "../src/summary.js";
import type { BenchSystem } from "../src/system.js";
import { formatWorkflowTable } from "../src/workflow-bench.js";
import { MemorySampler, formatMemory, formatRssSeries } from "../src/memory.js";

function sample(system: string, round: number, callsPerSec: number, cpuMs: Record<string, number | undefined>, seqP50Ms = 1): RoundSample {
  return {
    system,
    round,
    calls: 1000,
    seconds: 1000 / callsPerSec,
    callsPerSec,
    p50Ms: 2,
    p99Ms: 9,
    seqP50Ms,
    cpuMs,
    othersShare: round === 0 ? 0.25 : 0.5,
  };
}

describe("round statistics", () => {
  it("median of odd and even counts, NaN for none, non-finite values left out", () => {
    expect(medianOf([3, 1, 2])).toBe(2);
    expect(medianOf([4, 1, 3, 2])).toBe(2.5);
    expect(medianOf([])).toBeNaN();
    expect(medianOf([Number.NaN, 5])).toBe(5);
  });

  it("spread: median with min and max over the rounds that had a value", () => {
    expect(spreadOf([5, undefined, 1, 3, Number.NaN])).toEqual({ median: 3, min: 1, max: 5, n: 3 });
    expect(spreadOf([]).n).toBe(0);
  });

  it("nearest-rank percentiles", () => {
    const samples = Array.from({ length: 100 }, (_, i) => 100 - i);
    expect(percentileOf(samples, 0.5)).toBe(50);
    expect(percentileOf(samples, 0.99)).toBe(99);
    expect(percentileOf([7], 0.99)).toBe(7);
    expect(percentileOf([], 0.5)).toBeNaN();
  });

  it("formats a spread as median (min–max), one value alone, n/a for none", () => {
    expect(formatSpread({ median: 1234.4, min: 1000, max: 1500.6, n: 3 })).toBe("1234 (1000–1501)");
    expect(formatSpread({ median: 0.5, min: 0.25, max: 1, n: 2 }, 2, "×")).toBe("0.50× (0.25×–1.00×)");
    expect(formatSpread({ median: 2, min: 2, max: 2, n: 1 }, 1)).toBe("2.0");
    expect(formatSpread(spreadOf([]))).toBe("n/a");
  });

  it("rotates the order one place a round, so each system takes each position", () => {
    expect(rotation(["a", "b", "c"], 0)).toEqual(["a", "b", "c"]);
    expect(rotation(["a", "b", "c"], 1)).toEqual(["b", "c", "a"]);
    expect(rotation(["a", "b", "c"], 5)).toEqual(["c", "a", "b"]);
    expect(rotation([], 3)).toEqual([]);
  });
});

describe("/proc parsing", () => {
  // A command name with spaces and parentheses: fields are counted after the last ")".
  const stat = "4242 (node (bench) x) S 1 4242 4242 0 -1 4194304 100 0 0 0 250 75 3 4 20 0 11 0 500 1000 2000";

  it("utime + stime in ms (100 ticks a second)", () => {
    expect(statCpuMs(stat)).toBe((250 + 75) * 10);
    expect(statCpuMs("not a stat line")).toBeUndefined();
  });

  it("VmRSS in kB, undefined without one", () => {
    expect(statusRssKb("Name:\tnode\nVmPeak:\t  9 kB\nVmRSS:\t   81234 kB\nThreads:\t11\n")).toBe(81234);
    expect(statusRssKb("Name:\tkthreadd\nThreads:\t1\n")).toBeUndefined();
  });

  it("Redis's process_id from INFO server, CRLF lines", () => {
    expect(redisInfoPid("# Server\r\nredis_version:7.2.4\r\nprocess_id:2227\r\ntcp_port:6379\r\n")).toBe(2227);
    expect(redisInfoPid("# Server\r\nredis_version:7.2.4\r\n")).toBeUndefined();
  });

  it("the machine's busy and steal time from /proc/stat's cpu line", () => {
    expect(statMachineCpu("cpu  390056 0 101888 118292 1028 0 4086 2383 0 0\ncpu0 1 2 3 4 5 6 7 8 0 0\n")).toEqual({
      busyMs: (390056 + 101888 + 4086) * 10,
      stealMs: 23830,
    });
    expect(statMachineCpu("intr 1 2 3\n")).toBeUndefined();
  });

  it("others' share: machine busy and steal less the system's own, over all cores, within [0, 1]", () => {
    const before = { busyMs: 1000, stealMs: 0 };
    expect(othersShare(before, { busyMs: 3000, stealMs: 200 }, [500, undefined, 700], 1000, 2)).toBeCloseTo(0.5, 9);
    expect(othersShare(before, { busyMs: 1100, stealMs: 0 }, [500], 1000, 2)).toBe(0);
    expect(othersShare(before, { busyMs: 9000, stealMs: 0 }, [], 1000, 2)).toBe(1);
  });

  it("reads this process's own entries", () => {
    expect(commandName(process.pid)).toBeTruthy();
  });
});

describe("summaries and ratios", () => {
  const samples = [
    sample("tm", 0, 1000, { client: 200, coordinator: 500, nats: 100 }, 2),
    sample("raw", 0, 10_000, { client: 50, responder: 10, nats: 40 }, 0.5),
    sample("tm", 1, 2000, { client: 300, coordinator: 600, nats: undefined }, 3),
    sample("raw", 1, 8000, { client: 60, responder: 20, nats: 20 }, 0.5),
  ];

  it("CPU per call sums the processes that could be read", () => {
    expect(cpuPerCallOf(samples[0]!)).toBe(0.8);
    expect(cpuPerCallOf(samples[2]!)).toBe(0.9);
  });

  it("summarizes a system's rounds per figure and per process", () => {
    const s = summarizeSystem("tm", "toolmesh", samples);
    expect(s.rounds).toBe(2);
    expect(s.callsPerSec).toEqual({ median: 1500, min: 1000, max: 2000, n: 2 });
    expect(s.cpuByProcess.find((p) => p.label === "nats")!.perCall).toEqual({ median: 0.1, min: 0.1, max: 0.1, n: 1 });
    expect(s.unreadable).toEqual([]);
    expect(cpuBreakdown(s)).toBe("client 0.250, coordinator 0.550, nats 0.100");
    const none = summarizeSystem("x", "x", [sample("x", 0, 1, { redis: undefined, client: 1000 })]);
    expect(none.unreadable).toEqual(["redis"]);
    expect(cpuBreakdown(none)).toBe("client 1.000, redis not readable");
  });

  it("pairs ratios and added latency within a round", () => {
    const r = ratioRow(samples, "tm", "raw", "raw NATS");
    expect(r.callsPerSec).toEqual({ median: 0.175, min: 0.1, max: 0.25, n: 2 });
    expect(r.cpuPerCall.min).toBeCloseTo(8, 6);
    expect(r.cpuPerCall.max).toBeCloseTo(9, 6);
    expect(addedP50(samples, "tm", "raw")).toEqual({ median: 2, min: 1.5, max: 2.5, n: 2 });
    expect(ratioRow(samples, "tm", "missing", "none").callsPerSec.n).toBe(0);
  });

  it("formats one Markdown table with the ratios and notes after it", () => {
    const meta = { rounds: 2, roundSeconds: 3, warmupSeconds: 1, concurrency: 64, sequentialCalls: 50, coordinators: 1 };
    const lines = formatTable(
      meta,
      [summarizeSystem("tm", "toolmesh | stream", samples)],
      "toolmesh",
      [ratioRow(samples, "tm", "raw", "raw")],
      [{ name: "stream", ms: addedP50(samples, "tm", "raw") }],
      ["BullMQ: skipped."],
    );
    expect(lines[0]).toMatch(/^2 rounds × 3 s per system/);
    expect(lines).toContain(
      "| toolmesh \\| stream | 1500 (1000–2000) | 2.00 (2.00–2.00) | 9.00 (9.00–9.00) | 2.50 (2.00–3.00) | 0.850 (0.800–0.900) | client 0.250, coordinator 0.550, nats 0.100 | 38 (25–50) |",
    );
    expect(lines).toContain("| raw | 0.17× (0.10×–0.25×) | 8.50× (8.00×–9.00×) |");
    expect(lines).toContain("Added one-call p50 over raw NATS request/reply, stream: 2.00 ms (1.50 ms–2.50 ms)");
    expect(lines.at(-1)).toBe("BullMQ: skipped.");
  });

  it("workflow and memory tables say n/a for what could not be read", () => {
    expect(
      formatWorkflowTable([
        {
          name: "flat",
          tasks: 10,
          wallMs: 500,
          submitMs: 12.34,
          tasksPerSec: 20,
          coordinatorCpuMsPerTask: 1.5,
          workerCpuMsPerTask: undefined,
          kvWritesPerTask: 3,
        },
      ])[2],
    ).toBe("| flat | 10 | 12.3 | 500 | 20 | 1.500 | n/a | 3.00 |");
    expect(formatMemory([{ label: "coordinator", idleKb: 2048, peakKb: 4096, endKb: undefined }])[2]).toBe(
      "| coordinator | 2.0 MB | 4.0 MB | n/a |",
    );
    expect(formatRssSeries("after run", [{ label: "coordinator", afterRunKb: [1024, undefined, 3072] }])).toEqual([
      "| after run | 1 | 2 | 3 |",
      "| --- | ---: | ---: | ---: |",
      "| coordinator | 1.0 MB | n/a | 3.0 MB |",
    ]);
  });

  it("a memory sampler keeps each process's highest reading, and none for a process never read", () => {
    const readings = [
      [100, undefined],
      [300, undefined],
      [200, undefined],
    ];
    const sampler = new MemorySampler(
      [
        { label: "worker", pid: 1 },
        { label: "gone", pid: undefined },
      ],
      () => readings.shift() ?? [],
    );
    sampler.sample();
    sampler.sample();
    // stop() reads once more (200): the peak stays 300.
    expect(sampler.stop()).toEqual([300, undefined]);
  });

  it("counts stream writes per call from last-sequence deltas, leaving out streams unreadable or never written", () => {
    expect(writeDeltas({ A: 10, B: undefined, C: 5 }, { A: 2010, B: 7, C: 5 })).toEqual({ A: 2000, C: 0 });
    const withWrites = [
      { ...sample("tm", 0, 1000, {}), writes: { TM_TASKS: 1000, KV: 3, IDLE: 0 } },
      { ...sample("tm", 1, 1000, {}), writes: { TM_TASKS: 1000, KV: 1, IDLE: 0 } },
    ];
    const s = summarizeSystem("tm", "toolmesh", withWrites);
    expect(s.writesPerCall.map((w) => [w.stream, w.perCall.median])).toEqual([
      ["TM_TASKS", 1],
      ["KV", 0.002],
      ["IDLE", 0],
    ]);
    expect(writesLine(s)).toBe("toolmesh: JetStream messages written per call (median): TM_TASKS 1.000, KV 0.002");
  });

  it("reads a system's CPU from the client, its own processes, then the servers it uses", () => {
    const system: BenchSystem = {
      key: "b",
      name: "b",
      processes: [{ label: "w", pid: 2 }],
      uses: ["redis"],
      call: async () => {},
      close: async () => {},
    };
    const shared = {
      client: { label: "client", pid: 1 },
      nats: { label: "nats-server", pid: 3 },
      redis: { label: "redis-server", pid: 4 },
    };
    expect(processesOf(system, shared).map((p) => p.label)).toEqual(["client", "w", "redis-server"]);
  });
});

describe("options", () => {
  it("fills defaults and names the first option at fault", () => {
    expect(benchOptions()).toEqual({ ...BENCH_DEFAULTS });
    expect(benchOptions({ coordinators: 3 }).coordinators).toBe(3);
    expect(() => benchOptions({ rounds: 0 })).toThrow(BenchOptionsError);
    expect(() => benchOptions({ concurrency: 1.5 })).toThrow("concurrency must be a whole number from 1 to 256, got 1.5");
    expect(() => benchOptions({ roundSeconds: 0 })).toThrow("roundSeconds must be seconds");
    expect(() => benchOptions({ redisUrl: "http://x" })).toThrow('redisUrl must be a redis:// URL, got "http://x"');
    expect(() => benchOptions({ workflowTasks: 5000 })).toThrow("workflowTasks must be a whole number from 0 to 1000");
  });
});
