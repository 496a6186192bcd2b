import { availableParallelism } from "node:os";
import { performance } from "node:perf_hooks";
import { machineCpu } from "./proc-sample.js";
import { percentileOf } from "./round-stats.js";
import { cpuOf, settle } from "./settle.js";
import type { BenchSystem, ProcessRef } from "./system.js";
import { runSequential, runWindow } from "./window.js";

/** One system's window in one round. */
export interface RoundSample {
  system: string;
  round: number;
  calls: number;
  seconds: number;
  callsPerSec: number;
  p50Ms: number;
  p99Ms: number;
  /** p50 of the calls made one at a time after the window. */
  seqP50Ms: number;
  /** CPU ms each process spent over the window and its settling, by label; undefined where /proc could not be read. */
  cpuMs: Record<string, number | undefined>;
  /**
   * Share of the machine's CPU (all cores) that processes other than this
   * system's used over the window and its settling, in [0, 1]; steal time
   * counted as taken. Undefined off Linux. Tells a disturbed round apart.
   */
  othersShare?: number;
  /** Messages the window wrote to each JetStream stream the system uses (absent for systems that say none). */
  writes?: Record<string, number>;
}

export interface RoundPlan {
  rounds: number;
  roundSeconds: number;
  warmupSeconds: number;
  concurrency: number;
  sequentialCalls: number;
}

/** The shared processes: this process (the bench client) and the servers systems use. */
export interface SharedProcesses {
  client: ProcessRef;
  nats: ProcessRef;
  redis?: ProcessRef;
}

/** The order of round `round` (0-based): the list rotated by `round`, so each system takes each position in turn. */
export function rotation<T>(items: readonly T[], round: number): T[] {
  const n = items.length;
  if (n === 0) return [];
  const shift = ((round % n) + n) % n;
  return [...items.slice(shift), ...items.slice(0, shift)];
}

/** The processes a system's CPU is read from, in table order: client, its own, then the shared servers it uses. */
export function processesOf(system: BenchSystem, shared: SharedProcesses): ProcessRef[] {
  const refs = [shared.client, ...system.processes];
  if (system.uses.includes("nats")) refs.push(shared.nats);
  if (system.uses.includes("redis") && shared.redis) refs.push(shared.redis);
  return refs;
}

/** Per stream, how many messages were written between two readings of last sequences (streams unreadable in either left out). */
export function writeDeltas(before: Record<string, number | undefined>, after: Record<string, number | undefined>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [stream, b] of Object.entries(before)) {
    const a = after[stream];
    if (b !== undefined && a !== undefined) out[stream] = a - b;
  }
  return out;
}

/** What other processes took of `cores` over `spanMs`: machine busy and steal time less this system's own, clamped to [0, 1]. */
export function othersShare(
  before: { busyMs: number; stealMs: number },
  after: { busyMs: number; stealMs: number },
  ownMs: ReadonlyArray<number | undefined>,
  spanMs: number,
  cores: number,
): number {
  const own = ownMs.reduce<number>((sum, v) => sum + (v ?? 0), 0);
  const others = after.busyMs - before.busyMs + (after.stealMs - before.stealMs) - own;
  return Math.min(1, Math.max(0, others / (spanMs * cores)));
}

/** Index counters per system: call indexes stay unique over warm-up and every round. */
class Indexes {
  readonly #next = new Map<string, number>();
  for(key: string): () => number {
    return () => {
      const n = this.#next.get(key) ?? 0;
      this.#next.set(key, n + 1);
      return n;
    };
  }
}

async function measureOnce(
  system: BenchSystem,
  round: number,
  plan: RoundPlan,
  shared: SharedProcesses,
  next: () => number,
): Promise<RoundSample> {
  const refs = processesOf(system, shared);
  const writesBefore = await system.streamWrites?.();
  const before = cpuOf(refs);
  const machineBefore = machineCpu();
  const t0 = performance.now();
  const window = await runWindow((i) => system.call(i), plan.roundSeconds * 1000, plan.concurrency, next);
  await settle(refs.slice(1)); // refs[0] is this process, busy polling
  const after = cpuOf(refs);
  const machineAfter = machineCpu();
  const spanMs = performance.now() - t0;
  const writesAfter = await system.streamWrites?.();
  const cpu: Record<string, number | undefined> = {};
  refs.forEach((ref, i) => {
    const [b, a] = [before[i], after[i]];
    cpu[ref.label] = b === undefined || a === undefined ? undefined : a - b;
  });
  const seq = await runSequential((i) => system.call(i), plan.sequentialCalls, next);
  return {
    system: system.key,
    round,
    calls: window.calls,
    seconds: window.seconds,
    callsPerSec: window.calls / window.seconds,
    p50Ms: percentileOf(window.latenciesMs, 0.5),
    p99Ms: percentileOf(window.latenciesMs, 0.99),
    seqP50Ms: percentileOf(seq, 0.5),
    cpuMs: cpu,
    ...(machineBefore && machineAfter
      ? { othersShare: othersShare(machineBefore, machineAfter, Object.values(cpu), spanMs, availableParallelism()) }
      : {}),
    ...(writesBefore && writesAfter ? { writes: writeDeltas(writesBefore, writesAfter) } : {}),
  };
}

/**
 * A warm-up window per system (JIT, connections, stream and consumer
 * caches), then `rounds` rounds, each running every system for one window
 * in an order rotated round by round: a slow spell on the machine falls on
 * every system alike instead of on whichever ran then.
 */
export async function runRounds(
  systems: readonly BenchSystem[],
  plan: RoundPlan,
  shared: SharedProcesses,
  progress: (line: string) => void,
): Promise<RoundSample[]> {
  const indexes = new Indexes();
  for (const system of systems) {
    await runWindow((i) => system.call(i), plan.warmupSeconds * 1000, plan.concurrency, indexes.for(system.key));
    await runSequential((i) => system.call(i), Math.min(20, plan.sequentialCalls), indexes.for(system.key));
  }
  progress(`warm-up done (${plan.warmupSeconds} s a system)`);
  const samples: RoundSample[] = [];
  for (let round = 0; round < plan.rounds; round++) {
    const line: string[] = [];
    for (const system of rotation(systems, round)) {
      const sample = await measureOnce(system, round, plan, shared, indexes.for(system.key));
      samples.push(sample);
      line.push(`${system.key} ${sample.callsPerSec.toFixed(0)}/s`);
    }
    progress(`round ${round + 1}/${plan.rounds}: ${line.join(", ")}`);
  }
  return samples;
}
