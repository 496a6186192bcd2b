import { context, type Context } from "@opentelemetry/api";
import { jetstream, type JetStreamClient } from "@nats-io/jetstream";
import { type NatsConnection, type Subscription } from "@nats-io/transport-node";
import type { JsMsg } from "@nats-io/jetstream";
import {
  Consumers,
  PubAckPublisher,
  poolDefinition,
  Subjects,
  decodeJson,
  type EventMessage,
  type Logger,
  type PoolName,
} from "@toolmesh/core";
import type { ValidWorkflow } from "@toolmesh/spec";
import type { CapacityView } from "./capacity.js";
import type { CoordinatorMetrics } from "./coordinator-metrics.js";
import { afterAnswer } from "./engine/after-answer.js";
import { bootstrapStreams } from "./engine/stream-bootstrap.js";
import { publishTask, type TaskPublisherDeps } from "./engine/task-publisher.js";
import { ingestResult } from "./engine/result-ingestion.js";
import { natsEffects } from "./engine/nats-effects.js";
import { WorkflowTraces } from "./engine/tracing.js";
import { sharedResultsCache } from "./engine/memory-bounds.js";
import { ResultConsumers } from "./engine/result-consumers.js";
import { RunRegistry } from "./engine/run-registry.js";
import { StateFlusher } from "./engine/state-flusher.js";
import { QuietCalls } from "./quiet/quiet-calls.js";
import { isCallOf, mintCallId, mintWorkflowId, NotOwnerError, partitionOf } from "./partition/workflow-ids.js";
import { followRuntimeTools } from "./runtime-tools.js";
import { DispatchScheduler } from "./scheduler.js";
import type { WorkflowStore } from "./store/workflow-store.js";
import { AttemptTokens } from "./workflow/attempt-tokens.js";
import { WorkflowNotFoundError } from "./workflow/errors.js";
import { lineageOf } from "./workflow/parent-capability.js";
import { WorkflowRun, type OutputRef, type RunEffects, type SynthInput } from "./workflow/run.js";

export interface EngineOptions {
  nc: NatsConnection;
  log: Logger;
  metrics: CoordinatorMetrics;
  capacity: CapacityView;
  store: WorkflowStore;
  resultAckWaitMs: number;
  keepWorkflows: number;
  /** Task records, and estimated bytes, finished workflows kept in memory may hold in all. */
  keepTasks?: number;
  keepBytes?: number;
  /** How long results of shareable calls are reused across workflows; 0: only within a workflow. */
  shareTtlMs: number;
  runSynth(tool: string, args: Record<string, unknown>, inputs: SynthInput[]): Promise<Record<string, unknown>>;
  loadOutput(ref: OutputRef): Promise<Record<string, unknown>>;
  /** How many partitions the workflows are spread over (TOOLMESH_PARTITIONS). */
  partitions: number;
  /** This coordinator's route token (i<hex>): the ids, and so the results, of the calls it serves itself. */
  route: string;
  /** Asks the owner of a workflow's partition to take up a stored workflow (a routed GetWorkflow: find() adopts it). */
  handOver?: (workflowId: string) => Promise<void>;
}

/**
 * Attempts a pool may have queued or running at once: twice what its live
 * workers run (before any worker has reported, twice the pool's minimum).
 */
function poolWindow(capacity: CapacityView, pool: PoolName): number {
  let limit = 0;
  for (const snapshot of capacity.live()) if (snapshot.pool === pool && !snapshot.draining) limit += snapshot.limit;
  return 2 * (limit > 0 ? limit : poolDefinition(pool).minLimit);
}

/**
 * Runs workflows over the buses: dispatches tasks to pool work queues,
 * consumes results, publishes events, broadcasts cancels. One span per
 * workflow is the parent of every dispatch, so a workflow is one trace.
 */
export class Engine {
  readonly #runs: RunRegistry;
  readonly #traces = new WorkflowTraces();
  readonly #waiters = new Map<string, Array<(run: WorkflowRun) => void>>();
  readonly #opts: EngineOptions;
  #js!: JetStreamClient;
  #acks?: PubAckPublisher;
  #results!: ResultConsumers;
  /** The partitions this coordinator runs the workflows of (the PartitionTable's grants). */
  readonly #owned = new Set<number>();
  /** Owned partitions whose stored workflows are resumed: calls on them may come in. */
  readonly #ready = new Set<number>();
  #started?: Subscription;
  #publisher!: TaskPublisherDeps;
  readonly #scheduler: DispatchScheduler;
  readonly #shared?: ReturnType<typeof sharedResultsCache>; // absent at a share TTL of 0: lru-cache reads 0 as "never expires"
  #pumpTimer?: NodeJS.Timeout;
  #unfollowRuntimeTools?: () => void;
  readonly #flusher: StateFlusher;
  readonly #effects: RunEffects;
  #stopped = false;
  #tokens!: AttemptTokens;
  #quiet!: QuietCalls;

  constructor(options: EngineOptions) {
    this.#opts = options;
    this.#runs = new RunRegistry(options.keepWorkflows, options.keepTasks, options.keepBytes);
    // A run of a partition given up is no longer ours to store: its new owner writes it now.
    const store = { save: (run: WorkflowRun) => (this.#active(run) ? options.store.save(run) : Promise.resolve()) };
    this.#flusher = new StateFlusher({ store, log: options.log, owns: (run) => this.#active(run) });
    this.#scheduler = new DispatchScheduler((pool) => poolWindow(options.capacity, pool));
    if (options.shareTtlMs > 0) this.#shared = sharedResultsCache(options.shareTtlMs);
    this.#effects = this.#makeEffects();
  }

  async start(): Promise<void> {
    const { jsm, ensuredPools } = await bootstrapStreams(this.#opts.nc);
    // MCP pools' tools, published by their workers in TM_CATALOG (their pools' streams are the workers' to create).
    this.#unfollowRuntimeTools = await followRuntimeTools(this.#opts.nc, this.#opts.log);
    this.#tokens = await AttemptTokens.open(this.#opts.store.kv, this.#opts.log);
    this.#js = jetstream(this.#opts.nc);
    this.#acks = new PubAckPublisher(this.#opts.nc, (this.#opts.nc as { options?: { inboxPrefix?: string } }).options?.inboxPrefix);
    this.#publisher = {
      acks: this.#acks,
      nc: this.#opts.nc,
      js: this.#js,
      jsm,
      log: this.#opts.log,
      metrics: this.#opts.metrics,
      tokens: this.#tokens,
      ensuredPools,
    };
    this.#quiet = new QuietCalls({
      ...this.#publisher,
      scheduler: this.#scheduler,
      loadOutput: (ref) => this.#opts.loadOutput(ref),
      route: this.#opts.route,
    });
    this.#quiet.start();
    this.#started = this.#opts.nc.subscribe(Subjects.allTaskStarted, {
      callback: (err, msg) => {
        if (err) return;
        const event = decodeJson<EventMessage>(msg.data);
        if (event.taskId) this.#runs.get(event.workflowId)?.onStarted(event.taskId, event.attempt ?? 0, event.worker, event.timeMs);
      },
    });
    // Pools' capacity grows as workers appear; let waiting attempts out.
    this.#pumpTimer = setInterval(() => this.#scheduler.pumpAll(), 500);
    this.#results = new ResultConsumers({
      nc: this.#opts.nc,
      jsm,
      ackWaitMs: this.#opts.resultAckWaitMs,
      log: this.#opts.log,
      handle: (msg) => this.#ingest(msg),
    });
    // The calls this coordinator serves itself come back on a consumer of its own, whatever partitions it holds.
    const { route } = this.#opts;
    await this.#results.open({ name: Consumers.instance(route), filter: Subjects.instanceResults(route), inactiveMs: 10 * 60_000 });
  }

  /** Single calls (CallTool, CallTools) that run without a WorkflowRun and store nothing. */
  get quiet(): QuietCalls {
    return this.#quiet;
  }

  /** This coordinator owns at least one partition. */
  get leading(): boolean {
    return this.#owned.size > 0;
  }

  /** Owns the partition and has resumed its workflows: its calls are served here. */
  owns(partition: number): boolean {
    return this.#ready.has(partition);
  }

  get ownedPartitions(): number[] {
    return [...this.#ready].sort((a, b) => a - b);
  }

  /**
   * Takes partitions on: resumes their stored unfinished workflows, then
   * consumes their results (those that arrived while no coordinator held
   * them are waiting in TM_RESULTS).
   */
  async gain(partitions: number[]): Promise<void> {
    const { store, metrics, log } = this.#opts;
    for (const p of partitions) this.#owned.add(p);
    const ids = await store.running((id) => partitions.includes(this.partitionOf(id)));
    const resumed: WorkflowRun[] = [];
    for (const id of ids) {
      if (this.#runs.has(id)) continue;
      const run = await store.load(id, this.#effects);
      // Lost again while loading: not ours to run.
      if (!run || run.done || !this.#active(run)) continue;
      this.#runs.add(run);
      this.#traces.resumed(id, run.name);
      metrics.workflowsRunning.inc();
      resumed.push(run);
    }
    for (const run of resumed) run.resume();
    if (resumed.length > 0) log.info({ workflows: resumed.map((r) => r.id) }, "resumed workflows");
    await Promise.all(
      partitions.map(async (p) => {
        if (!this.#owned.has(p)) return;
        await this.#results.open({ name: Consumers.partition(p), filter: Subjects.partitionResults(p) });
        if (this.#owned.has(p)) this.#ready.add(p);
      }),
    );
  }

  /**
   * Stops acting on partitions at once: no more results, dispatches or
   * writes for their workflows, which are dropped from memory (their new
   * owner resumes them from the store). Resolves once writes under way ended.
   */
  async lose(partitions: number[]): Promise<void> {
    for (const p of partitions) {
      this.#owned.delete(p);
      this.#ready.delete(p);
    }
    for (const run of [...this.#runs.values()]) {
      if (run.quiet || this.#owned.has(this.partitionOf(run.id)) || !partitions.includes(this.partitionOf(run.id))) continue;
      for (const task of run.tasks.values()) {
        clearTimeout(task.timer);
        clearTimeout(task.joinTimer);
      }
      if (!run.done) this.#opts.metrics.workflowsRunning.dec();
      this.#runs.delete(run.id);
    }
    await Promise.all(partitions.map((p) => this.#results.close(Consumers.partition(p))));
    await this.#flusher.idle;
  }

  partitionOf(workflowId: string): number {
    return partitionOf(workflowId, this.#opts.partitions);
  }

  /** A run this coordinator may act on: one of its own calls, or a workflow of a partition it owns. */
  #active(run: WorkflowRun): boolean {
    return !this.#stopped && (isCallOf(run.id, this.#opts.route) || this.#owned.has(this.partitionOf(run.id)));
  }

  /** A result of a partition this coordinator gave up (still in a consumer's buffer) goes back for the new owner. */
  #ingest(msg: JsMsg): void {
    const route = msg.subject.split(".")[3] ?? "";
    if (route.startsWith("p") && !this.#owned.has(Number(route.slice(1)))) {
      msg.nak();
      return;
    }
    ingestResult({ runs: this.#runs, tokens: this.#tokens, flusher: this.#flusher, log: this.#opts.log, metrics: this.#opts.metrics }, msg);
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    this.#owned.clear();
    this.#ready.clear();
    this.#started?.unsubscribe();
    this.#quiet?.stop();
    this.#acks?.close();
    this.#unfollowRuntimeTools?.();
    clearInterval(this.#pumpTimer);
    this.#tokens?.close();
    this.#flusher.close();
    await this.#results?.closeAll();
    await this.#flusher.idle;
    for (const run of this.#runs.values())
      for (const task of run.tasks.values()) {
        clearTimeout(task.timer);
        clearTimeout(task.joinTimer);
      }
  }

  /**
   * Starts a validated workflow under the caller's trace context. A
   * submitted workflow is stored before it starts, so an accepted workflow
   * survives this coordinator; quiet single calls are not stored.
   */
  async submit(
    workflow: ValidWorkflow,
    parent: Context = context.active(),
    options: { quiet?: boolean; partition?: number } = {},
  ): Promise<WorkflowRun> {
    const id = options.quiet ? mintCallId(this.#opts.route) : mintWorkflowId(this.#partitionFor(workflow, options.partition));
    const lineage = lineageOf(workflow, workflow.parent && this.#runs.get(workflow.parent.workflowId));
    this.#traces.started(id, workflow.name, workflow.tasks.length, parent);
    const run = new WorkflowRun(id, workflow, this.#effects, { ...options, ...lineage });
    this.#runs.add(run);
    if (workflow.parent) this.#runs.get(workflow.parent.workflowId)!.children.push(id);
    this.#opts.metrics.workflowsStarted.inc();
    this.#opts.metrics.workflowsRunning.inc();
    this.#runs.evictFinished();
    if (run.quiet) {
      run.start();
      return run;
    }
    // Stored as its spec alone (its tasks are derivable until they move); it starts once the caller has its answer.
    await this.#opts.store.save(run);
    if (!this.#active(run)) {
      // The partition changed hands while the spec was being stored: its new owner may have listed the partition's
      // workflows before this one landed, so it is told to take it up (find() there adopts it), rather than left unrun.
      await this.#opts.handOver?.(run.id);
      return run;
    }
    afterAnswer(() => {
      if (!run.done && this.#runs.get(run.id) === run) run.start();
    });
    return run;
  }

  /**
   * The partition a new workflow goes to: its parent's (so the parent's
   * owner checks and holds the lineage), the one asked for, or one of this
   * coordinator's at random. NotOwnerError when that is not ours.
   */
  #partitionFor(workflow: ValidWorkflow, asked: number | undefined): number {
    const owned = this.ownedPartitions;
    const partition = workflow.parent
      ? this.partitionOf(workflow.parent.workflowId)
      : (asked ?? owned[Math.floor(Math.random() * owned.length)] ?? Math.floor(Math.random() * this.#opts.partitions));
    if (!this.#ready.has(partition)) throw new NotOwnerError(partition);
    return partition;
  }

  /**
   * A stored unfinished workflow of an owned partition that is not running
   * here: submitted while its partition changed hands, after this
   * coordinator had listed the partition's workflows. It is resumed now.
   */
  #adopt(run: WorkflowRun): void {
    this.#runs.add(run);
    this.#traces.resumed(run.id, run.name);
    this.#opts.metrics.workflowsRunning.inc();
    this.#opts.log.warn({ workflowId: run.id }, "took up a workflow stored while its partition changed hands");
    run.resume();
  }

  /** The workflow's trace id, "" when it was not traced or this coordinator did not run it. */
  traceIdOf(id: string): string {
    return this.#traces.traceIdOf(id);
  }

  /** A workflow from memory, or one from the store (an unfinished one is taken up); NotOwnerError for another coordinator's. */
  async find(id: string): Promise<WorkflowRun> {
    if (!isCallOf(id, this.#opts.route) && !this.#ready.has(this.partitionOf(id))) throw new NotOwnerError(this.partitionOf(id));
    const known = this.#runs.get(id);
    if (known) return known;
    const run = await this.#opts.store.load(id, this.#effects);
    if (!run) throw new WorkflowNotFoundError(id);
    const loadedMeanwhile = this.#runs.get(id);
    if (loadedMeanwhile) return loadedMeanwhile;
    if (run.done) this.#runs.add(run);
    else if (this.#active(run)) this.#adopt(run);
    return run;
  }

  list(limit: number): WorkflowRun[] {
    return this.#runs.list(limit);
  }

  /** Resolves when the workflow reaches a terminal state. */
  whenDone(run: WorkflowRun): Promise<WorkflowRun> {
    if (run.done) return Promise.resolve(run);
    return new Promise((resolve) => {
      const list = this.#waiters.get(run.id) ?? [];
      list.push(resolve);
      this.#waiters.set(run.id, list);
    });
  }

  #makeEffects(): RunEffects {
    return natsEffects({
      nc: this.#opts.nc,
      log: this.#opts.log,
      runs: this.#runs,
      scheduler: this.#scheduler,
      shared: this.#shared,
      // Nothing goes out for a run of a partition given up (a timer or a queued attempt may still fire).
      publish: async (run, task, deadlineMs) => {
        if (this.#active(run)) await publishTask(this.#publisher, run, task, deadlineMs, this.#traces.contextOf(run.id));
      },
      runSynth: (tool, args, inputs) => this.#opts.runSynth(tool, args, inputs),
      loadOutput: (ref) => this.#opts.loadOutput(ref),
      changed: (run) => {
        if (!run.quiet) this.#flusher.changed(run);
      },
      finished: (run) => this.#finished(run),
      traceContext: (workflowId) => this.#traces.contextOf(workflowId),
    });
  }

  #finished(run: WorkflowRun): void {
    this.#runs.finished(run);
    this.#opts.metrics.workflowsRunning.dec();
    this.#opts.metrics.workflowsFinished.inc({ state: run.state });
    this.#opts.metrics.workflowDuration.observe({ state: run.state }, ((run.finishedAtMs ?? Date.now()) - run.createdAtMs) / 1000);
    this.#traces.finished(run);
    for (const resolve of this.#waiters.get(run.id) ?? []) resolve(run);
    this.#waiters.delete(run.id);
    this.#opts.log.debug(
      { workflowId: run.id, name: run.name, state: run.state, ms: (run.finishedAtMs ?? 0) - run.createdAtMs },
      "workflow finished",
    );
  }
}
