import { SpanKind, SpanStatusCode, context, trace, type Context, type Span } from "@opentelemetry/api";
import { jetstream, jetstreamManager, type ConsumerMessages, type JetStreamClient, type JetStreamManager } from "@nats-io/jetstream";
import { headers, type NatsConnection, type Subscription } from "@nats-io/transport-node";
import type { JsMsg } from "@nats-io/jetstream";
import {
  Consumers,
  ErrorCode,
  ToolError,
  POOLS,
  Streams,
  poolDefinition,
  Subjects,
  decodeJson,
  encodeJson,
  ensureAttemptsBucket,
  ensureEventStream,
  ensurePoolStream,
  ensureResultConsumer,
  ensureResultStream,
  injectTrace,
  publishUntilStored,
  tracer,
  type CancelCommand,
  type EventMessage,
  type Logger,
  type PoolName,
  type ResultMessage,
  type TaskMessage,
} from "@toolmesh/core";
import { MAX_AGENT_DEPTH } from "@toolmesh/tools";
import { LRUCache } from "lru-cache";
import { randomUUID } from "node:crypto";
import { setTimeout as sleep } from "node:timers/promises";
import type { CapacityView } from "./capacity.js";
import type { CoordinatorMetrics } from "./coordinator-metrics.js";
import { recreateWhenMissing } from "./results-consumer.js";
import { followRuntimeTools } from "./runtime-tools.js";
import { DispatchScheduler } from "./scheduler.js";
import type { WorkflowStore } from "./store/workflow-store.js";
import { AttemptTokens, rejectResult } from "./workflow/attempt-tokens.js";
import { InvalidSpecError, WorkflowNotFoundError } from "./workflow/errors.js";
import { checkParentCapability } from "./workflow/parent-capability.js";
import { isTerminal, WorkflowRun, type OutputRef, type RunEffects, type SynthInput, type TaskRecord } from "./workflow/run.js";
import type { ValidWorkflow } from "./workflow/validate.js";

export interface EngineOptions {
  nc: NatsConnection;
  log: Logger;
  metrics: CoordinatorMetrics;
  capacity: CapacityView;
  store: WorkflowStore;
  resultAckWaitMs: number;
  keepWorkflows: number;
  /** How long results of shareable calls are reused across workflows; 0: only within a workflow. */
  shareTtlMs: number;
  runSynth(tool: string, args: Record<string, unknown>, inputs: SynthInput[]): Promise<Record<string, unknown>>;
  loadOutput(ref: OutputRef): Promise<Record<string, unknown>>;
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
  readonly #runs = new Map<string, WorkflowRun>();
  readonly #spans = new Map<string, { span: Span; ctx: Context }>();
  readonly #waiters = new Map<string, Array<(run: WorkflowRun) => void>>();
  readonly #opts: EngineOptions;
  #js!: JetStreamClient;
  #jsm!: JetStreamManager;
  #results?: ConsumerMessages;
  #started?: Subscription;
  readonly #ensuredPools = new Set<PoolName>();
  readonly #scheduler: DispatchScheduler;
  readonly #shared?: LRUCache<string, Record<string, unknown>>; // absent at a share TTL of 0: lru-cache reads 0 as "never expires"
  #pumpTimer?: NodeJS.Timeout;
  #unfollowRuntimeTools?: () => void;
  /** Runs changed since their last save, and results to ack once those saves land. */
  readonly #dirty = new Set<WorkflowRun>();
  readonly #pendingAcks: JsMsg[] = [];
  #flushing?: Promise<void>;
  #flushAgain = false;
  #leading = false;
  #tokens!: AttemptTokens;

  constructor(options: EngineOptions) {
    this.#opts = options;
    this.#scheduler = new DispatchScheduler((pool) => poolWindow(options.capacity, pool));
    if (options.shareTtlMs > 0) this.#shared = new LRUCache({ max: 10_000, ttl: options.shareTtlMs });
  }

  async start(): Promise<void> {
    const jsm = await jetstreamManager(this.#opts.nc);
    this.#jsm = jsm;
    await ensureEventStream(jsm);
    await ensureResultStream(jsm);
    await ensureResultConsumer(jsm, this.#opts.resultAckWaitMs);
    await ensureAttemptsBucket(this.#opts.nc);
    for (const pool of Object.keys(POOLS) as PoolName[]) {
      await ensurePoolStream(jsm, pool);
      this.#ensuredPools.add(pool);
    }
    // MCP pools' tools, published by their workers in TM_CATALOG (their pools' streams are the workers' to create).
    this.#unfollowRuntimeTools = await followRuntimeTools(this.#opts.nc, this.#opts.log);
    this.#tokens = await AttemptTokens.open(this.#opts.store.kv, this.#opts.log);
    this.#js = jetstream(this.#opts.nc);
    this.#started = this.#opts.nc.subscribe(Subjects.allTaskStarted, {
      callback: (err, msg) => {
        if (err) return;
        const event = decodeJson<EventMessage>(msg.data);
        if (event.taskId) this.#runs.get(event.workflowId)?.onStarted(event.taskId, event.attempt ?? 0, event.worker, event.timeMs);
      },
    });
    // Pools' capacity grows as workers appear; let waiting attempts out.
    this.#pumpTimer = setInterval(() => this.#scheduler.pumpAll(), 500);
  }

  get leading(): boolean {
    return this.#leading;
  }

  /**
   * Becomes the active coordinator: resumes every stored unfinished
   * workflow, then consumes results (those that arrived while no
   * coordinator ran are waiting in TM_RESULTS).
   */
  async lead(): Promise<void> {
    const ids = await this.#opts.store.running();
    const resumed: WorkflowRun[] = [];
    for (const id of ids) {
      if (this.#runs.has(id)) continue;
      const run = await this.#opts.store.load(id, this.#effects);
      if (!run || run.done) continue;
      this.#runs.set(id, run);
      this.#spans.set(id, { span: tracer("toolmesh-coordinator").startSpan(`workflow ${run.name} (resumed)`, { attributes: { "toolmesh.workflow_id": id } }), ctx: context.active() });
      this.#opts.metrics.workflowsRunning.inc();
      resumed.push(run);
    }
    for (const run of resumed) run.resume();
    if (resumed.length > 0) this.#opts.log.info({ workflows: resumed.map((r) => r.id) }, "resumed workflows");
    const consumer = await this.#js.consumers.get(Streams.results, Consumers.coordinator);
    this.#results = await consumer.consume({ max_messages: 1000 });
    void recreateWhenMissing(this.#results, () => ensureResultConsumer(this.#jsm, this.#opts.resultAckWaitMs), this.#opts.log);
    void this.#consumeResults(this.#results);
    this.#leading = true;
  }

  async stop(): Promise<void> {
    this.#leading = false;
    this.#started?.unsubscribe();
    this.#unfollowRuntimeTools?.();
    clearInterval(this.#pumpTimer);
    this.#tokens?.close();
    await this.#results?.close();
    await this.#flushing;
    for (const run of this.#runs.values()) for (const task of run.tasks.values()) {
      clearTimeout(task.timer);
      clearTimeout(task.joinTimer);
    }
  }

  /**
   * Starts a validated workflow under the caller's trace context. A
   * submitted workflow is stored before it starts, so an accepted workflow
   * survives this coordinator; quiet single calls are not stored.
   */
  async submit(workflow: ValidWorkflow, parent: Context = context.active(), options: { quiet?: boolean } = {}): Promise<WorkflowRun> {
    const lineage = this.#lineage(workflow);
    const id = randomUUID().replaceAll("-", "");
    const span = tracer("toolmesh-coordinator").startSpan(
      `workflow ${workflow.name}`,
      { kind: SpanKind.INTERNAL, attributes: { "toolmesh.workflow_id": id, "toolmesh.tasks": workflow.tasks.length } },
      parent,
    );
    this.#spans.set(id, { span, ctx: trace.setSpan(parent, span) });
    const run = new WorkflowRun(id, workflow, this.#effects, { ...options, ...lineage });
    this.#runs.set(id, run);
    if (workflow.parent) this.#runs.get(workflow.parent.workflowId)!.children.push(id);
    this.#opts.metrics.workflowsStarted.inc();
    this.#opts.metrics.workflowsRunning.inc();
    this.#evictFinished();
    if (!run.quiet) await this.#opts.store.save(run);
    run.start();
    return run;
  }

  /**
   * Where a sub-agent's workflow hangs: under a running parent, one level
   * deeper. Agents nest at most MAX_AGENT_DEPTH deep, so a workflow that
   * deep may not start another agent.
   */
  #lineage(workflow: ValidWorkflow): { depth: number; ancestors: string[] } {
    if (!workflow.parent) return { depth: 0, ancestors: [] };
    const parent = this.#runs.get(workflow.parent.workflowId);
    if (!parent || parent.done) {
      throw new InvalidSpecError(`parent.workflowId "${workflow.parent.workflowId}" is not a running workflow on this coordinator`);
    }
    checkParentCapability(parent, workflow.parent);
    const depth = parent.depth + 1;
    if (depth >= MAX_AGENT_DEPTH && workflow.tasks.some((t) => t.tool === "agent.run")) {
      throw new ToolError(
        ErrorCode.RESOURCE_EXHAUSTED,
        `agents nest at most ${MAX_AGENT_DEPTH} deep (orchestrator → specialist → executor); this workflow is at depth ${depth} and may not start agent.run`,
      );
    }
    return { depth, ancestors: [parent.id, ...parent.ancestors] };
  }

  /** A workflow from memory, or a finished one from the store. */
  async find(id: string): Promise<WorkflowRun> {
    const run = this.#runs.get(id) ?? (await this.#opts.store.load(id, this.#effects));
    if (!run) throw new WorkflowNotFoundError(id);
    if (!this.#runs.has(id) && run.done) this.#runs.set(id, run);
    return run;
  }

  list(limit: number): WorkflowRun[] {
    return [...this.#runs.values()].reverse().slice(0, limit);
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

  readonly #effects: RunEffects = {
    dispatch: (run, task, onRelease) =>
      new Promise<void>((resolve, reject) => {
        const attempt = task.attempt;
        const pool = task.spec.pool as PoolName;
        this.#scheduler.submit({
          runId: run.id,
          taskId: task.spec.id,
          attempt,
          pool,
          priority: run.priority,
          runCap: run.spec.maxConcurrency,
          stillWanted: () => !run.done && task.attempt === attempt && task.state === "queued",
          release: () => {
            const deadlineMs = Date.now() + task.spec.timeoutMs;
            onRelease(deadlineMs);
            return this.#publishTask(run, task, deadlineMs);
          },
          resolve,
          reject,
        });
      }),
    attemptEnded: (run, task) => this.#scheduler.ended(run.id, task.spec.id, task.attempt),
    runSynth: (tool, args, inputs) => this.#opts.runSynth(tool, args, inputs),
    loadOutput: (ref) => this.#opts.loadOutput(ref),
    sharedResult: (key) => this.#shared?.get(key),
    shareResult: (key, output) => void this.#shared?.set(key, output),
    emit: (event: EventMessage) => {
      const run = this.#runs.get(event.workflowId);
      this.#opts.nc.publish(Subjects.event(event.workflowId, event.kind), encodeJson(event));
      if (!run?.parent) return;
      // A sub-agent's events also go to every ancestor's stream, so a watcher sees the whole tree.
      const nested = encodeJson({ ...event, parentWorkflowId: run.parent.workflowId, parentTaskId: run.parent.taskId, depth: run.depth });
      for (const ancestor of run.ancestors) this.#opts.nc.publish(Subjects.event(ancestor, event.kind), nested);
    },
    cancelRemote: (workflowId: string, taskId: string | undefined, reason: string) => {
      const command: CancelCommand = { workflowId, reason, ...(taskId ? { taskId } : {}) };
      this.#opts.nc.publish(Subjects.cancel, encodeJson(command));
      // Sub-agents' workflows under what was cancelled go too, at once.
      for (const childId of this.#runs.get(workflowId)?.children ?? []) {
        const child = this.#runs.get(childId);
        if (child && !child.done && (!taskId || child.parent?.taskId === taskId)) child.cancel(`parent ${taskId ? `task ${workflowId}/${taskId}` : `workflow ${workflowId}`} cancelled: ${reason}`);
      }
    },
    changed: (run) => {
      if (run.quiet) return;
      this.#dirty.add(run);
      this.#scheduleFlush();
    },
    finished: (run: WorkflowRun) => {
      this.#opts.metrics.workflowsRunning.dec();
      this.#opts.metrics.workflowsFinished.inc({ state: run.state });
      this.#opts.metrics.workflowDuration.observe({ state: run.state }, ((run.finishedAtMs ?? Date.now()) - run.createdAtMs) / 1000);
      const traced = this.#spans.get(run.id);
      if (traced) {
        if (run.state !== "succeeded") traced.span.setStatus({ code: SpanStatusCode.ERROR, message: run.error ?? run.state });
        traced.span.end();
        this.#spans.delete(run.id);
      }
      for (const resolve of this.#waiters.get(run.id) ?? []) resolve(run);
      this.#waiters.delete(run.id);
      this.#opts.log.debug({ workflowId: run.id, name: run.name, state: run.state, ms: (run.finishedAtMs ?? 0) - run.createdAtMs }, "workflow finished");
    },
  };

  async #publishTask(run: WorkflowRun, task: TaskRecord, deadlineMs: number): Promise<void> {
    const parent = this.#spans.get(run.id)?.ctx ?? context.active();
    // Each agent.run attempt gets a capability of its own: only it may attach child workflows.
    if (task.spec.tool === "agent.run") task.capability = this.#tokens.capability(run.id, task.spec.id, task.attempt);
    const message: TaskMessage = {
      workflowId: run.id,
      taskId: task.spec.id,
      tool: task.spec.tool,
      args: task.spec.args,
      attempt: task.attempt,
      deadlineMs,
      ...(run.quiet ? { quiet: true } : {}),
      ...(task.capability ? { capability: task.capability } : {}),
      attemptToken: this.#tokens.token(task.spec.pool, run.id, task.spec.id, task.attempt),
    };
    const payload = encodeJson(message);
    const maxPayload = this.#opts.nc.info?.max_payload ?? 1024 * 1024;
    if (payload.length + 4096 > maxPayload) {
      throw new ToolError(
        ErrorCode.RESOURCE_EXHAUSTED,
        `the task's arguments take ${payload.length} bytes; a task message can be at most ${maxPayload - 4096} bytes (the NATS server's max_payload)`,
        { retryable: false },
      );
    }
    const hdrs = headers();
    injectTrace(hdrs, parent);
    const pool = task.spec.pool as PoolName;
    if (!this.#ensuredPools.has(pool)) {
      // A run-time (MCP) pool: its stream is made here too, so a call never races its first worker's set-up.
      await ensurePoolStream(this.#jsm, pool);
      this.#ensuredPools.add(pool);
    }
    const attempt = task.attempt;
    await publishUntilStored(this.#js, Subjects.task(pool), payload, { msgID: `${run.id}.${task.spec.id}.${attempt}`, headers: hdrs }, {
      log: this.#opts.log,
      stillWanted: () => !run.done && task.attempt === attempt && !isTerminal(task.state) && Date.now() < deadlineMs,
    });
    this.#opts.metrics.tasksDispatched.inc({ pool: task.spec.pool });
  }

  /**
   * Applies results as they come; each is acked only once the state it
   * changed is stored, so a coordinator that dies in between leaves the
   * result in TM_RESULTS for its successor.
   */
  async #consumeResults(messages: ConsumerMessages): Promise<void> {
    for await (const msg of messages) {
      try {
        const result = decodeJson<ResultMessage>(msg.data);
        const run = this.#runs.get(result.workflowId);
        const rejected = run && this.#tokens.check(run, result);
        if (rejected) rejectResult(this.#opts, result, rejected);
        else if (!(run?.onResult(result) ?? false)) this.#opts.metrics.resultsIgnored.inc();
      } catch (err) {
        this.#opts.log.error({ err, seq: msg.seq }, "bad result message");
      }
      this.#pendingAcks.push(msg);
      this.#scheduleFlush();
    }
  }

  #scheduleFlush(): void {
    if (this.#flushing) {
      this.#flushAgain = true;
      return;
    }
    this.#flushing = new Promise<void>((resolve) => setImmediate(resolve))
      .then(() => this.#flush())
      .finally(() => {
        this.#flushing = undefined;
        if (this.#flushAgain) {
          this.#flushAgain = false;
          this.#scheduleFlush();
        }
      });
  }

  async #flush(): Promise<void> {
    const runs = [...this.#dirty];
    this.#dirty.clear();
    const acks = this.#pendingAcks.splice(0);
    try {
      await Promise.all(runs.map((run) => this.#opts.store.save(run)));
      for (const msg of acks) msg.ack();
    } catch (err) {
      this.#opts.log.warn({ err }, "could not store workflow state; retrying before acking results");
      for (const run of runs) this.#dirty.add(run);
      this.#pendingAcks.unshift(...acks);
      await sleep(500);
      this.#flushAgain = true;
    }
  }

  /** Keeps memory bounded: forgets the oldest finished workflows. */
  #evictFinished(): void {
    if (this.#runs.size <= this.#opts.keepWorkflows) return;
    for (const [id, run] of this.#runs) {
      if (this.#runs.size <= this.#opts.keepWorkflows) break;
      if (run.done) this.#runs.delete(id);
    }
  }
}
