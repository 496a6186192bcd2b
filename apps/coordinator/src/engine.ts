import { SpanKind, SpanStatusCode, context, trace, type Context, type Span } from "@opentelemetry/api";
import { jetstream, jetstreamManager, type ConsumerMessages, type JetStreamClient } from "@nats-io/jetstream";
import { headers, type NatsConnection, type Subscription } from "@nats-io/transport-node";
import {
  Consumers,
  ErrorCode,
  ToolError,
  POOLS,
  Streams,
  Subjects,
  decodeJson,
  encodeJson,
  ensureEventStream,
  ensurePoolStream,
  ensureResultConsumer,
  ensureResultStream,
  injectTrace,
  tracer,
  type CancelCommand,
  type EventMessage,
  type Logger,
  type PoolName,
  type ResultMessage,
  type TaskMessage,
} from "@toolmesh/core";
import { randomUUID } from "node:crypto";
import type { CoordinatorMetrics } from "./coordinator-metrics.js";
import { WorkflowNotFoundError } from "./workflow/errors.js";
import { WorkflowRun, type RunEffects, type TaskRecord } from "./workflow/run.js";
import type { ValidWorkflow } from "./workflow/validate.js";

export interface EngineOptions {
  nc: NatsConnection;
  log: Logger;
  metrics: CoordinatorMetrics;
  resultAckWaitMs: number;
  keepWorkflows: number;
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
  #results?: ConsumerMessages;
  #started?: Subscription;
  readonly #ensuredPools = new Set<PoolName>();

  constructor(options: EngineOptions) {
    this.#opts = options;
  }

  async start(): Promise<void> {
    const jsm = await jetstreamManager(this.#opts.nc);
    await ensureEventStream(jsm);
    await ensureResultStream(jsm);
    await ensureResultConsumer(jsm, this.#opts.resultAckWaitMs);
    for (const pool of Object.keys(POOLS) as PoolName[]) {
      await ensurePoolStream(jsm, pool);
      this.#ensuredPools.add(pool);
    }
    this.#js = jetstream(this.#opts.nc);
    const consumer = await this.#js.consumers.get(Streams.results, Consumers.coordinator);
    this.#results = await consumer.consume({ max_messages: 1000 });
    void this.#consumeResults(this.#results);
    this.#started = this.#opts.nc.subscribe(Subjects.allTaskStarted, {
      callback: (err, msg) => {
        if (err) return;
        const event = decodeJson<EventMessage>(msg.data);
        if (event.taskId) this.#runs.get(event.workflowId)?.onStarted(event.taskId, event.attempt ?? 0, event.worker, event.timeMs);
      },
    });
  }

  async stop(): Promise<void> {
    this.#started?.unsubscribe();
    await this.#results?.close();
    for (const run of this.#runs.values()) for (const task of run.tasks.values()) clearTimeout(task.timer);
  }

  /** Starts a validated workflow under the caller's trace context. */
  submit(workflow: ValidWorkflow, parent: Context = context.active(), options: { quiet?: boolean } = {}): WorkflowRun {
    const id = randomUUID().replaceAll("-", "");
    const span = tracer("toolmesh-coordinator").startSpan(
      `workflow ${workflow.name}`,
      { kind: SpanKind.INTERNAL, attributes: { "toolmesh.workflow_id": id, "toolmesh.tasks": workflow.tasks.length } },
      parent,
    );
    this.#spans.set(id, { span, ctx: trace.setSpan(parent, span) });
    const run = new WorkflowRun(id, workflow, this.#effects, options);
    this.#runs.set(id, run);
    this.#opts.metrics.workflowsStarted.inc();
    this.#opts.metrics.workflowsRunning.inc();
    this.#evictFinished();
    run.start();
    return run;
  }

  get(id: string): WorkflowRun {
    const run = this.#runs.get(id);
    if (!run) throw new WorkflowNotFoundError(id);
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
    dispatch: async (run: WorkflowRun, task: TaskRecord, deadlineMs: number) => {
      const parent = this.#spans.get(run.id)?.ctx ?? context.active();
      const message: TaskMessage = {
        workflowId: run.id,
        taskId: task.spec.id,
        tool: task.spec.tool,
        args: task.spec.args,
        attempt: task.attempt,
        deadlineMs,
        ...(run.quiet ? { quiet: true } : {}),
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
      await this.#js.publish(Subjects.task(task.spec.pool), payload, {
        msgID: `${run.id}.${task.spec.id}.${task.attempt}`,
        headers: hdrs,
      });
      this.#opts.metrics.tasksDispatched.inc({ pool: task.spec.pool });
    },
    emit: (event: EventMessage) => {
      this.#opts.nc.publish(Subjects.event(event.workflowId, event.kind), encodeJson(event));
    },
    cancelRemote: (workflowId: string, taskId: string | undefined, reason: string) => {
      const command: CancelCommand = { workflowId, reason, ...(taskId ? { taskId } : {}) };
      this.#opts.nc.publish(Subjects.cancel, encodeJson(command));
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

  async #consumeResults(messages: ConsumerMessages): Promise<void> {
    for await (const msg of messages) {
      try {
        const result = decodeJson<ResultMessage>(msg.data);
        const run = this.#runs.get(result.workflowId);
        const used = run?.onResult(result) ?? false;
        if (!used) this.#opts.metrics.resultsIgnored.inc();
      } catch (err) {
        this.#opts.log.error({ err, seq: msg.seq }, "bad result message");
      }
      msg.ack();
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
