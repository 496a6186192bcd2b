import { jetstreamManager } from "@nats-io/jetstream";
import type { NatsConnection } from "@nats-io/transport-node";
import type { ToolmeshClient } from "@toolmesh/client";
import { TaskSpec, WorkflowSpec, WorkflowState } from "@toolmesh/proto";
import { performance } from "node:perf_hooks";
import { readRss, type RssSeries } from "./memory.js";
import { spreadOf } from "./round-stats.js";
import { cpuOf, settle } from "./settle.js";
import type { ProcessRef } from "./system.js";

/** The coordinator's workflow-state bucket, as a stream (KV_<bucket>). */
const WORKFLOW_KV_STREAM = "KV_TM_WORKFLOWS";

export interface WorkflowBenchResult {
  name: string;
  /** Pool calls the workflow made. */
  tasks: number;
  wallMs: number;
  /** How long SubmitWorkflow took to answer (the spec stored, the workflow not yet started). */
  submitMs: number;
  tasksPerSec: number;
  /** CPU ms per task of every coordinator together, and of the worker. */
  coordinatorCpuMsPerTask: number | undefined;
  workerCpuMsPerTask: number | undefined;
  /** Writes to the workflow-state KV bucket per task (its stream's last sequence before and after); undefined if unreadable. */
  kvWritesPerTask: number | undefined;
}

/** `tasks` independent test.echo calls. */
export function flatWorkflow(tasks: number): WorkflowSpec {
  return WorkflowSpec.fromPartial({
    name: `bench flat ${tasks}`,
    tasks: Array.from({ length: tasks }, (_, i) => TaskSpec.fromPartial({ id: `t${i}`, tool: "test.echo", args: { value: i } })),
  });
}

/** One task listing `items` distinct values, then test.echo over each of them. */
export function fanOutWorkflow(items: number): WorkflowSpec {
  return WorkflowSpec.fromPartial({
    name: `bench fan-out ${items}`,
    tasks: [
      TaskSpec.fromPartial({ id: "list", tool: "test.echo", args: { value: Array.from({ length: items }, (_, i) => i) } }),
      TaskSpec.fromPartial({
        id: "each",
        tool: "test.echo",
        args: { value: "{{item}}" },
        dependsOn: ["list"],
        forEach: { from: "list", items: "value", maxItems: 0 },
      }),
    ],
  });
}

async function kvLastSeq(nc: NatsConnection): Promise<number | undefined> {
  try {
    const jsm = await jetstreamManager(nc);
    return (await jsm.streams.info(WORKFLOW_KV_STREAM)).state.last_seq;
  } catch {
    return undefined;
  }
}

const sum = (values: ReadonlyArray<number | undefined>): number | undefined =>
  values.some((v) => v === undefined) ? undefined : values.reduce<number>((s, v) => s + v!, 0);

/** The stack a workflow benchmark runs on: a client, a connection to read the KV stream, the processes whose CPU counts. */
export interface WorkflowBenchStack {
  client: ToolmeshClient;
  nc: NatsConnection;
  coordinators: readonly ProcessRef[];
  worker: ProcessRef;
}

/**
 * Submits `spec` (SubmitWorkflow) and waits for it to finish (watching its
 * events), persisted as every workflow is; wall time from submit to the
 * end, CPU of the coordinators and the worker over it (and any work it
 * left running, until they are idle), KV writes per task.
 */
export async function runWorkflowBench(stack: WorkflowBenchStack, spec: WorkflowSpec, tasks: number): Promise<WorkflowBenchResult> {
  const { client, nc, coordinators, worker } = stack;
  const refs = [...coordinators, worker];
  await settle(refs);
  const kvBefore = await kvLastSeq(nc);
  const before = cpuOf(refs);
  const started = performance.now();
  const id = await client.submit(spec);
  const submitMs = performance.now() - started;
  for await (const _event of client.watch(id));
  const wf = await client.get(id);
  const wallMs = performance.now() - started;
  if (wf.state !== WorkflowState.WORKFLOW_STATE_SUCCEEDED)
    throw new Error(`${spec.name}: workflow ${wf.id} ended ${WorkflowState[wf.state]}: ${wf.error}`);
  await settle(refs);
  const after = cpuOf(refs);
  const kvAfter = await kvLastSeq(nc);
  const delta = refs.map((_, i) => (before[i] === undefined || after[i] === undefined ? undefined : after[i] - before[i]));
  const coordinatorMs = sum(delta.slice(0, coordinators.length));
  const workerMs = delta[coordinators.length];
  return {
    name: spec.name,
    tasks,
    wallMs,
    submitMs,
    tasksPerSec: tasks / (wallMs / 1000),
    coordinatorCpuMsPerTask: coordinatorMs === undefined ? undefined : coordinatorMs / tasks,
    workerCpuMsPerTask: workerMs === undefined ? undefined : workerMs / tasks,
    kvWritesPerTask: kvBefore === undefined || kvAfter === undefined ? undefined : (kvAfter - kvBefore) / tasks,
  };
}

/** Runs of each workflow measured after the one warm-up run (not counted): the table gives each column's median. */
export const WORKFLOW_RUNS = 3;

const median = (values: ReadonlyArray<number | undefined>): number | undefined => {
  const spread = spreadOf(values);
  return spread.n === 0 ? undefined : spread.median;
};

/**
 * The workflow once to warm the coordinator's submit and run paths up (a
 * long-running coordinator has them compiled), then `runs` measured runs,
 * summarised column by column as medians.
 */
export async function benchWorkflow(
  stack: WorkflowBenchStack,
  spec: WorkflowSpec,
  tasks: number,
  runs = WORKFLOW_RUNS,
): Promise<WorkflowBenchResult> {
  await runWorkflowBench(stack, spec, tasks);
  const results: WorkflowBenchResult[] = [];
  for (let i = 0; i < runs; i += 1) results.push(await runWorkflowBench(stack, spec, tasks));
  const wallMs = median(results.map((r) => r.wallMs))!;
  return {
    name: spec.name,
    tasks,
    wallMs,
    submitMs: median(results.map((r) => r.submitMs))!,
    tasksPerSec: median(results.map((r) => r.tasksPerSec))!,
    coordinatorCpuMsPerTask: median(results.map((r) => r.coordinatorCpuMsPerTask)),
    workerCpuMsPerTask: median(results.map((r) => r.workerCpuMsPerTask)),
    kvWritesPerTask: median(results.map((r) => r.kvWritesPerTask)),
  };
}

/** Runs of the flat workflow in a row after the workflow benchmark, with RSS read after each. */
export const REPEATED_RUNS = 5;

/**
 * `runs` runs of `spec` one after another, RSS of `watch` read after each
 * once the processes are idle: a coordinator keeping what finished
 * workflows left behind grows along the row, one that bounds it stays flat.
 */
export async function repeatWorkflow(
  stack: WorkflowBenchStack,
  spec: WorkflowSpec,
  tasks: number,
  watch: readonly ProcessRef[],
  runs = REPEATED_RUNS,
): Promise<RssSeries[]> {
  const series: RssSeries[] = watch.map((ref) => ({ label: ref.label, afterRunKb: [] }));
  for (let i = 0; i < runs; i += 1) {
    // runWorkflowBench returns once the coordinators and the worker are idle.
    await runWorkflowBench(stack, spec, tasks);
    readRss(watch).forEach((kb, j) => series[j]!.afterRunKb.push(kb));
  }
  return series;
}

const fixed = (value: number | undefined, digits: number): string => (value === undefined ? "n/a" : value.toFixed(digits));

/** The workflow benchmark's rows as a Markdown table. */
export function formatWorkflowTable(results: readonly WorkflowBenchResult[]): string[] {
  return [
    "| workflow (persisted) | pool calls | SubmitWorkflow ms | wall ms | tasks/s | coordinator CPU ms/task | worker CPU ms/task | KV writes/task |",
    "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ...results.map(
      (r) =>
        `| ${r.name} | ${r.tasks} | ${r.submitMs.toFixed(1)} | ${r.wallMs.toFixed(0)} | ${r.tasksPerSec.toFixed(0)} | ${fixed(r.coordinatorCpuMsPerTask, 3)} | ${fixed(r.workerCpuMsPerTask, 3)} | ${fixed(r.kvWritesPerTask, 2)} |`,
    ),
  ];
}
