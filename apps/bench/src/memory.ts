import { rssKb } from "./proc-sample.js";
import type { ProcessRef } from "./system.js";

export interface MemorySample {
  label: string;
  /** kB, undefined when /proc could not be read. */
  idleKb: number | undefined;
  endKb: number | undefined;
}

/** VmRSS of each process now, kB. */
export function readRss(refs: readonly ProcessRef[]): Array<number | undefined> {
  return refs.map((r) => (r.pid === undefined ? undefined : rssKb(r.pid)));
}

const mb = (kb: number | undefined): string => (kb === undefined ? "n/a" : `${(kb / 1024).toFixed(1)} MB`);

/** `RSS at idle → at the end: coordinator 80.1 MB → 95.3 MB, …` as one line per process. */
export function formatMemory(samples: readonly MemorySample[]): string[] {
  return [
    "| process | RSS idle after start | RSS at the end |",
    "| --- | ---: | ---: |",
    ...samples.map((s) => `| ${s.label} | ${mb(s.idleKb)} | ${mb(s.endKb)} |`),
  ];
}
