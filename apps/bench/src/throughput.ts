/**
 * `toolmesh-bench` (`npm run bench`): tiny no-op calls through the whole
 * toolmesh path (client → gRPC → coordinator → JetStream → worker → back)
 * against the floors it is built on (raw NATS request/reply, one persisted
 * JetStream hop, both hops persisted) and BullMQ on Redis (one add per job,
 * and addBulk). Every system runs in its own child processes, all started
 * once and kept running; short interleaved rounds with a rotated order, so
 * a noisy machine slows every system alike; CPU per call read from /proc
 * for every process involved. Then the workflow benchmark, memory, and the
 * explore benchmark.
 */
import { connect } from "@nats-io/transport-node";
import { startNatsServer, type NatsServerHandle } from "@toolmesh/local";
import { ToolmeshClient } from "@toolmesh/client";
import { availableParallelism, loadavg } from "node:os";
import { formatTable, type AddedLatency } from "./bench-table.js";
import { startBullmq } from "./bullmq.js";
import { startJsFloor } from "./js-floor.js";
import { MemorySampler, formatMemory, formatRssSeries, readRss, type MemorySample, type RssSeries } from "./memory.js";
import { benchOptions, type InterleavedOptions } from "./options.js";
import { startRawNats } from "./raw-nats.js";
import { redisProcess, redisUnreachable } from "./redis-probe.js";
import { runRounds, type RoundSample, type SharedProcesses } from "./rounds.js";
import { settle } from "./settle.js";
import { withInterruptCleanup } from "./signals.js";
import { addedP50, ratioRow, summarizeSystem, type RatioRow, type SystemSummary } from "./summary.js";
import type { BenchSystem, ProcessRef } from "./system.js";
import { startToolmesh, type ToolmeshStack } from "./toolmesh.js";
import {
  REPEATED_RUNS,
  WORKFLOW_RUNS,
  benchWorkflow,
  fanOutWorkflow,
  flatWorkflow,
  formatWorkflowTable,
  repeatWorkflow,
  type WorkflowBenchResult,
} from "./workflow-bench.js";

export { BENCH_DEFAULTS } from "./options.js";
export type { InterleavedOptions } from "./options.js";

export interface BenchReport {
  samples: RoundSample[];
  systems: SystemSummary[];
  ratios: RatioRow[];
  added: AddedLatency[];
  workflows: WorkflowBenchResult[];
  memory: MemorySample[];
  /** RSS of the coordinators and the worker after each of REPEATED_RUNS flat workflows in a row (empty without workflows). */
  repeated: RssSeries[];
  notes: string[];
  /** Every line printed for the tables (Markdown). */
  lines: string[];
}

const SUBJECT = "toolmesh-stream";

/** Starts every system; the callback sees each as soon as it runs, so a failure or a signal stops exactly those. */
async function startSystems(
  options: InterleavedOptions,
  natsUrl: string,
  keep: (closer: { close(): Promise<void> }) => void,
  out: (line: string) => void,
  notes: string[],
): Promise<{ systems: BenchSystem[]; toolmesh: ToolmeshStack; redis?: ProcessRef }> {
  const c = options.concurrency;
  out(`toolmesh: ${options.coordinators} coordinator(s) + testpool worker (child processes)`);
  const toolmesh = await startToolmesh(natsUrl, c, options.coordinators);
  keep(toolmesh);
  if (toolmesh.standbyNote) {
    out(toolmesh.standbyNote);
    notes.push(toolmesh.standbyNote);
  }
  const systems: BenchSystem[] = [toolmesh.stream, toolmesh.unary];
  out("raw NATS responder, JetStream floors (child processes)");
  for (const start of [() => startRawNats(natsUrl), () => startJsFloor(natsUrl, c, "reply"), () => startJsFloor(natsUrl, c, "persist")]) {
    const system = await start();
    keep(system);
    systems.push(system);
  }
  if (options.skipBullmq) {
    notes.push("BullMQ: skipped on request (--no-bullmq).");
    return { systems, toolmesh };
  }
  const unreachable = await redisUnreachable(options.redisUrl);
  if (unreachable) {
    const line = `BullMQ: skipped, Redis at ${options.redisUrl} is not reachable (${unreachable}).`;
    out(line);
    notes.push(line);
    return { systems, toolmesh };
  }
  out("BullMQ workers (child processes), one per mode");
  for (const mode of [{ kind: "add" } as const, { kind: "bulk", batch: options.bulkBatch } as const]) {
    const system = await startBullmq(options.redisUrl, c, mode);
    keep(system);
    systems.push(system);
  }
  const redis = await redisProcess(options.redisUrl);
  if (redis.pid === undefined) notes.push(`redis-server CPU not readable: ${redis.why ?? "unknown pid"}.`);
  return { systems, toolmesh, redis };
}

function memoryRefs(systems: readonly BenchSystem[], nats: ProcessRef): ProcessRef[] {
  const seen = new Map<number | undefined, ProcessRef>();
  for (const s of systems)
    for (const p of s.processes) if (!seen.has(p.pid)) seen.set(p.pid, { ...p, label: `${p.label} (${s.key.replace(/-stream$/, "")})` });
  return [...seen.values(), nats];
}

export async function runBench(given: Partial<InterleavedOptions>, out: (line: string) => void): Promise<BenchReport> {
  const options = benchOptions(given);
  let nats: NatsServerHandle | undefined;
  const running: Array<{ close(): Promise<void> }> = [];
  let peaks: MemorySampler | undefined;
  const release = async (): Promise<void> => {
    peaks?.stop();
    for (const r of running.splice(0).reverse()) await r.close().catch(() => undefined);
    await nats?.stop();
    nats = undefined;
  };
  const report = await withInterruptCleanup(release, async () => {
    try {
      let natsUrl = options.natsUrl;
      if (!natsUrl) {
        nats = await startNatsServer();
        natsUrl = nats.url;
      }
      const natsRef: ProcessRef = nats?.pid
        ? { label: "nats-server", pid: nats.pid }
        : { label: "nats-server", pid: undefined, why: "a nats-server this bench did not start" };
      out(`nats-server at ${natsUrl}`);
      const notes: string[] = [];
      const started = await startSystems(options, natsUrl, (r) => running.push(r), out, notes);
      const { toolmesh, redis } = started;
      const systems = options.only ? started.systems.filter((s) => options.only!.includes(s.key)) : started.systems;
      if (options.only) notes.push(`Only ${systems.map((s) => s.key).join(", ")} ran rounds (--only).`);
      const shared: SharedProcesses = { client: { label: "client", pid: process.pid }, nats: natsRef, ...(redis ? { redis } : {}) };

      const memRefs = memoryRefs(systems, natsRef);
      await settle(memRefs);
      const idleRss = readRss(memRefs);
      peaks = new MemorySampler(memRefs);
      peaks.start();

      const loadAtStart = loadavg()[0]!;
      const samples = await runRounds(systems, options, shared, out);
      for (const s of systems) {
        const line = s.describe?.();
        if (line) notes.push(line);
      }
      notes.push(
        `Load average (1 min) of the machine: ${loadAtStart.toFixed(1)} before the rounds, ${loadavg()[0]!.toFixed(1)} after, on ${availableParallelism()} cores.`,
      );
      const summaries = systems.map((s) => summarizeSystem(s.key, s.name, samples));
      const ratios = systems
        .filter((s) => s.key !== SUBJECT && s.key !== "toolmesh-unary")
        .map((s) => ratioRow(samples, SUBJECT, s.key, s.name));
      const added = [
        { name: "toolmesh CallTools stream", ms: addedP50(samples, SUBJECT, "raw-nats") },
        { name: "toolmesh unary CallTool", ms: addedP50(samples, "toolmesh-unary", "raw-nats") },
      ].filter((a) => a.ms.n > 0);
      const lines = formatTable({ ...options }, summaries, toolmesh.stream.name, ratios, added, notes);

      const workflows: WorkflowBenchResult[] = [];
      let repeated: RssSeries[] = [];
      if (options.workflowTasks > 0) {
        out(
          `workflows: ${options.workflowTasks} flat tasks, then a fan-out over ${options.workflowTasks} items; each run once to warm up, then ${WORKFLOW_RUNS} times (medians)`,
        );
        const nc = await connect({ servers: natsUrl, name: "bench-workflows" });
        const client = new ToolmeshClient(toolmesh.serving[0]!);
        try {
          const n = options.workflowTasks;
          const stack = { client, nc, coordinators: toolmesh.coordinators, worker: toolmesh.worker };
          workflows.push(await benchWorkflow(stack, flatWorkflow(n), n));
          workflows.push(await benchWorkflow(stack, fanOutWorkflow(n), n + 1));
          out(`memory: ${REPEATED_RUNS} more flat workflows of ${n} tasks in a row, RSS after each`);
          repeated = await repeatWorkflow(stack, flatWorkflow(n), n, [...toolmesh.coordinators, toolmesh.worker]);
        } finally {
          client.close();
          await nc.close();
        }
        lines.push("", ...formatWorkflowTable(workflows));
      }

      const peakRss = peaks.stop();
      const endRss = readRss(memRefs);
      const memory = memRefs.map((r, i) => ({ label: r.label, idleKb: idleRss[i], peakKb: peakRss[i], endKb: endRss[i] }));
      lines.push("", ...formatMemory(memory));
      if (repeated.length > 0)
        lines.push(
          "",
          ...formatRssSeries(`RSS after each of ${REPEATED_RUNS} flat ${options.workflowTasks}-task workflows in a row`, repeated),
        );
      out("");
      for (const line of lines) out(line);
      return { samples, systems: summaries, ratios, added, workflows, memory, repeated, notes, lines };
    } finally {
      await release();
    }
  });
  if (options.explore) {
    out("");
    const { runExploreBench } = await import("./explore.js");
    await runExploreBench({
      path: options.explorePath,
      question: "how are tasks dispatched and their results collected",
      maxFiles: 1000,
      out,
    });
  }
  return report;
}
