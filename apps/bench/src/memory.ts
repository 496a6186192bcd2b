import { rssKb } from "./proc-sample.js";
import type { ProcessRef } from "./system.js";

export interface MemorySample {
  label: string;
  /** kB, undefined when /proc could not be read. */
  idleKb: number | undefined;
  /** The highest RSS a MemorySampler saw during the measured rounds and workflow runs, kB. */
  peakKb: number | undefined;
  endKb: number | undefined;
}

/** VmRSS of each process now, kB. */
export function readRss(refs: readonly ProcessRef[]): Array<number | undefined> {
  return refs.map((r) => (r.pid === undefined ? undefined : rssKb(r.pid)));
}

/** How often a MemorySampler reads /proc: a peak between two reads is missed, so short enough for a burst of a workflow run. */
export const PEAK_SAMPLE_MS = 250;

/**
 * The highest RSS of each process while it runs: RSS at the end of a run
 * says what a process kept, not what it needed at its busiest (a worker's
 * young generation and the old generation's slack before a full GC come and
 * go between two readings).
 */
export class MemorySampler {
  readonly #refs: readonly ProcessRef[];
  readonly #read: (refs: readonly ProcessRef[]) => Array<number | undefined>;
  readonly #peaks: Array<number | undefined>;
  #timer: NodeJS.Timeout | undefined;

  /** `read`: RSS of each process now, kB (VmRSS from /proc unless a test scripts it). */
  constructor(refs: readonly ProcessRef[], read = readRss) {
    this.#refs = refs;
    this.#read = read;
    this.#peaks = refs.map(() => undefined);
  }

  start(intervalMs = PEAK_SAMPLE_MS): void {
    this.sample();
    this.#timer ??= setInterval(() => this.sample(), intervalMs);
    // Never what keeps the bench running.
    this.#timer.unref();
  }

  /** One reading of every process, kept where it is a new high. */
  sample(): void {
    this.#read(this.#refs).forEach((kb, i) => {
      if (kb !== undefined && kb > (this.#peaks[i] ?? 0)) this.#peaks[i] = kb;
    });
  }

  /** Stops sampling after one last reading; the peaks, kB, in the order of the refs. */
  stop(): Array<number | undefined> {
    clearInterval(this.#timer);
    this.#timer = undefined;
    this.sample();
    return [...this.#peaks];
  }
}

const mb = (kb: number | undefined): string => (kb === undefined ? "n/a" : `${(kb / 1024).toFixed(1)} MB`);

/** RSS of every process idle after start, at its peak and at the end, one row per process. */
export function formatMemory(samples: readonly MemorySample[]): string[] {
  return [
    `| process | RSS idle after start | RSS peak (every ${PEAK_SAMPLE_MS} ms, rounds and workflows) | RSS at the end |`,
    "| --- | ---: | ---: | ---: |",
    ...samples.map((s) => `| ${s.label} | ${mb(s.idleKb)} | ${mb(s.peakKb)} | ${mb(s.endKb)} |`),
  ];
}

/** RSS of some processes after each of a series of workflow runs, kB per run. */
export interface RssSeries {
  label: string;
  afterRunKb: Array<number | undefined>;
}

/** One row per process, one column per run: flat or growing can be read along a row. */
export function formatRssSeries(title: string, series: readonly RssSeries[]): string[] {
  const runs = Math.max(0, ...series.map((s) => s.afterRunKb.length));
  const numbers = Array.from({ length: runs }, (_, i) => String(i + 1));
  return [
    `| ${title} | ${numbers.join(" | ")} |`,
    `| --- | ${numbers.map(() => "---:").join(" | ")} |`,
    ...series.map((s) => `| ${s.label} | ${numbers.map((_, i) => mb(s.afterRunKb[i])).join(" | ")} |`),
  ];
}
