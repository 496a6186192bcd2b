import type { RoundSample } from "./rounds.js";
import { spreadOf, type Spread } from "./round-stats.js";

/** A system's rounds in figures: each a median with its min–max. */
export interface SystemSummary {
  key: string;
  name: string;
  rounds: number;
  callsPerSec: Spread;
  p50Ms: Spread;
  p99Ms: Spread;
  seqP50Ms: Spread;
  /** Share of the machine other processes took during this system's windows. */
  othersShare: Spread;
  /** CPU ms per call over every process that could be read. */
  cpuPerCall: Spread;
  /** CPU ms per call of each process (label order as read). */
  cpuByProcess: Array<{ label: string; perCall: Spread }>;
  /** Processes /proc could not be read for (not in cpuPerCall). */
  unreadable: string[];
  /** JetStream messages written per call, by stream (empty for systems that do not say). */
  writesPerCall: Array<{ stream: string; perCall: Spread }>;
}

/** CPU ms per call of one sample over the processes that could be read. */
export function cpuPerCallOf(sample: RoundSample): number {
  const readable = Object.values(sample.cpuMs).filter((v): v is number => v !== undefined);
  return sample.calls > 0 ? readable.reduce((s, v) => s + v, 0) / sample.calls : Number.NaN;
}

export function summarizeSystem(key: string, name: string, samples: readonly RoundSample[]): SystemSummary {
  const own = samples.filter((s) => s.system === key);
  const labels = [...new Set(own.flatMap((s) => Object.keys(s.cpuMs)))];
  const unreadable = labels.filter((label) => own.every((s) => s.cpuMs[label] === undefined));
  return {
    key,
    name,
    rounds: own.length,
    callsPerSec: spreadOf(own.map((s) => s.callsPerSec)),
    p50Ms: spreadOf(own.map((s) => s.p50Ms)),
    p99Ms: spreadOf(own.map((s) => s.p99Ms)),
    seqP50Ms: spreadOf(own.map((s) => s.seqP50Ms)),
    cpuPerCall: spreadOf(own.map(cpuPerCallOf)),
    othersShare: spreadOf(own.map((s) => s.othersShare)),
    cpuByProcess: labels
      .filter((label) => !unreadable.includes(label))
      .map((label) => ({
        label,
        perCall: spreadOf(own.map((s) => (s.cpuMs[label] === undefined || s.calls === 0 ? undefined : s.cpuMs[label] / s.calls))),
      })),
    unreadable,
    writesPerCall: [...new Set(own.flatMap((s) => Object.keys(s.writes ?? {})))].map((stream) => ({
      stream,
      perCall: spreadOf(own.map((s) => (s.writes?.[stream] === undefined || s.calls === 0 ? undefined : s.writes[stream] / s.calls))),
    })),
  };
}

/** The subject against one baseline, each ratio taken within a round (both ran under the same load) and then summarized. */
export interface RatioRow {
  baseline: string;
  baselineName: string;
  /** subject calls/s ÷ baseline calls/s */
  callsPerSec: Spread;
  /** subject CPU per call ÷ baseline CPU per call */
  cpuPerCall: Spread;
}

function paired(samples: readonly RoundSample[], a: string, b: string, f: (x: RoundSample, y: RoundSample) => number): Spread {
  const values: number[] = [];
  for (const x of samples.filter((s) => s.system === a)) {
    const y = samples.find((s) => s.system === b && s.round === x.round);
    if (y) values.push(f(x, y));
  }
  return spreadOf(values);
}

export function ratioRow(samples: readonly RoundSample[], subject: string, baseline: string, baselineName: string): RatioRow {
  return {
    baseline,
    baselineName,
    callsPerSec: paired(samples, subject, baseline, (x, y) => x.callsPerSec / y.callsPerSec),
    cpuPerCall: paired(samples, subject, baseline, (x, y) => cpuPerCallOf(x) / cpuPerCallOf(y)),
  };
}

/** What `subject` adds to `floor`'s one-call p50, ms, round by round. */
export function addedP50(samples: readonly RoundSample[], subject: string, floor: string): Spread {
  return paired(samples, subject, floor, (x, y) => x.seqP50Ms - y.seqP50Ms);
}
