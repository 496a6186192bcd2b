import type { PoolName } from "./pools.js";

/**
 * NATS subjects, one prefix per bus (see docs/architecture.md):
 *   tm.cmd.>     command bus: core request/reply and broadcast control
 *   tm.evt.>     event stream: JetStream stream TM_EVENTS, replayable
 *   tm.data.>    data pipeline: per-pool work queues, results, output chunks
 *   tm.metrics.> metrics bus: periodic per-instance snapshots, core publish
 */
export const Bus = {
  command: "tm.cmd",
  events: "tm.evt",
  data: "tm.data",
  metrics: "tm.metrics",
} as const;

export const Subjects = {
  /** Broadcast: every worker aborts the matching running tasks. */
  cancel: `${Bus.command}.cancel`,
  /** Request-many: every instance answers with who it is. */
  ping: `${Bus.command}.ping`,
  setLimit: (pool: PoolName) => `${Bus.command}.pool.${pool}.set-limit`,
  drain: (pool: PoolName) => `${Bus.command}.pool.${pool}.drain`,
  /** tm.evt.<workflowId>.<kind>, kind like "task.started" (two tokens). */
  event: (workflowId: string, kind: string) => `${Bus.events}.${workflowId}.${kind}`,
  workflowEvents: (workflowId: string) => `${Bus.events}.${workflowId}.>`,
  /** What the coordinator listens to, to see tasks start. */
  allTaskStarted: `${Bus.events}.*.task.started`,
  allEvents: `${Bus.events}.>`,
  /** A pool instance's adaptive limit changed (LimitChangeEvent). */
  poolLimitEvent: (pool: string) => `${Bus.events}.pool.${pool}.limit`,
  /** The autoscaler changed (or decided not to change) a pool's replicas (ScaleEvent). */
  poolScaleEvent: (pool: string) => `${Bus.events}.pool.${pool}.scale`,
  allPoolEvents: `${Bus.events}.pool.>`,
  task: (pool: PoolName) => `${Bus.data}.task.${pool}`,
  /**
   * tm.data.result.<route>.<workflowId>: the route is the workflow id's
   * prefix (docs/architecture.md "Partitions"), so that each coordinator
   * consumes only the results of what it runs.
   */
  result: (workflowId: string) => `${Bus.data}.result.${resultRoute(workflowId)}.${workflowId}`,
  allResults: `${Bus.data}.result.>`,
  /**
   * A quiet call's result (CallTool, CallTools), core publish straight to the
   * coordinator instance that dispatched it: `instance` is its route token
   * (i<hex>, as its calls' ids begin), named in the task message's replyTo.
   */
  quietResult: (instance: string) => `${Bus.data}.reply.${instance}`,
  allQuietResults: `${Bus.data}.reply.>`,
  /** The results of a partition's workflows (its owner's consumer). */
  partitionResults: (partition: number) => `${Bus.data}.result.p${String(partition)}.>`,
  /** The results of the calls one coordinator serves itself (quiet calls), by the route in their ids. */
  instanceResults: (route: string) => `${Bus.data}.result.${route}.>`,
  /** Request/reply: the commands on a partition's workflows, answered by its owner. */
  coordinatorPartition: (partition: number) => `${Bus.command}.coordinator.p${String(partition)}`,
  /** Request-many: every coordinator answers with the workflows it holds (ListWorkflows). */
  coordinatorList: `${Bus.command}.coordinator.list`,
  chunk: (workflowId: string, taskId: string) => `${Bus.data}.chunk.${workflowId}.${taskId}`,
  metrics: (service: string, instanceId: string) => `${Bus.metrics}.${service}.${instanceId}`,
  allMetrics: `${Bus.metrics}.>`,
} as const;

export const Streams = {
  events: "TM_EVENTS",
  results: "TM_RESULTS",
  tasks: (pool: PoolName) => `TM_TASKS_${pool.toUpperCase()}`,
} as const;

export const Consumers = {
  /** The shared durable consumer every worker of a pool pulls from. */
  poolWorkers: "workers",
  /** The single coordinator's consumer of before partitions; removed at start (its filter would overlap theirs). */
  coordinator: "coordinator",
  /** The durable consumer of a partition's results, used by whichever coordinator owns the partition. */
  partition: (partition: number) => `coordinator-p${String(partition)}`,
  /** A coordinator's own consumer of the results of the calls it serves itself. */
  instance: (route: string) => `coordinator-${route}`,
} as const;

/**
 * The route token of a workflow id: "p<partition>" or "i<instance>", the part
 * before its first "-" (ids the coordinator mints look like p12-<hex> or
 * i1a2b3c4d-<hex>); "_" for any other id.
 */
export function resultRoute(workflowId: string): string {
  const route = /^([pi][0-9a-f]{1,8})-/.exec(workflowId)?.[1];
  return route ?? "_";
}

/** Ids that appear inside subjects: no dots, wildcards or spaces. */
export const SUBJECT_TOKEN = /^[A-Za-z0-9_-]{1,64}$/;
