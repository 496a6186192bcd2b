import { context, type Context } from "@opentelemetry/api";
import type { NatsConnection } from "@nats-io/transport-node";
import {
  Bus,
  Subjects,
  encodeJson,
  startPublishSpan,
  workerPool,
  type CancelCommand,
  type EventMessage,
  type Logger,
} from "@toolmesh/core";
import type { LRUCache } from "lru-cache";
import type { DispatchScheduler } from "../scheduler.js";
import type { OutputRef, RunEffects, SynthInput, TaskRecord, WorkflowRun } from "../workflow/run.js";
import type { RunRegistry } from "./run-registry.js";

export interface NatsEffectsDeps {
  nc: NatsConnection;
  log: Logger;
  runs: RunRegistry;
  scheduler: DispatchScheduler;
  /** Absent at a share TTL of 0: lru-cache reads 0 as "never expires". */
  shared?: LRUCache<string, Record<string, unknown>>;
  publish(run: WorkflowRun, task: TaskRecord, deadlineMs: number): Promise<void>;
  runSynth(tool: string, args: Record<string, unknown>, inputs: SynthInput[]): Promise<Record<string, unknown>>;
  loadOutput(ref: OutputRef): Promise<Record<string, unknown>>;
  changed(run: WorkflowRun): void;
  finished(run: WorkflowRun): void;
  /** The trace context a workflow's messages are published under (its workflow span); the active one without it. */
  traceContext?(workflowId: string): Context;
}

/** One event onto the bus, as a PRODUCER span of the workflow's trace (its subject holds the id: the span is named by template). */
function publishEvent(deps: NatsEffectsDeps, workflowId: string, kind: string, bytes: Uint8Array, parent: Context): void {
  const subject = Subjects.event(workflowId, kind);
  const publish = startPublishSpan({ subject, template: `${Bus.events}.{workflow_id}.${kind}` }, parent, bytes.length);
  try {
    deps.nc.publish(subject, bytes, { headers: publish.headers });
    publish.end();
  } catch (err) {
    publish.end(err);
    throw err;
  }
}

/** What a WorkflowRun does to the world, over NATS: dispatch through the scheduler, events, cancels. */
export function natsEffects(deps: NatsEffectsDeps): RunEffects {
  return {
    dispatch: (run, task, onRelease) =>
      new Promise<void>((resolve, reject) => {
        const attempt = task.attempt;
        const pool = workerPool(task.spec.pool);
        deps.scheduler.submit({
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
            return deps.publish(run, task, deadlineMs);
          },
          resolve,
          reject,
        });
      }),
    attemptEnded: (run, task) => deps.scheduler.ended(run.id, task.spec.id, task.attempt),
    runSynth: (tool, args, inputs) => deps.runSynth(tool, args, inputs),
    loadOutput: (ref) => deps.loadOutput(ref),
    sharedResult: (key) => deps.shared?.get(key),
    shareResult: (key, output) => void deps.shared?.set(key, output),
    emit: (event: EventMessage) => {
      // Core publishes, in order on one connection, awaiting no ack; one that throws (a closed connection) is
      // reported, never thrown into the run's state machine halfway through a transition.
      try {
        const run = deps.runs.get(event.workflowId);
        const parent = deps.traceContext?.(event.workflowId) ?? context.active();
        publishEvent(deps, event.workflowId, event.kind, encodeJson(event), parent);
        if (!run?.parent) return;
        // A sub-agent's events also go to every ancestor's stream, so a watcher sees the whole tree.
        const nested = encodeJson({ ...event, parentWorkflowId: run.parent.workflowId, parentTaskId: run.parent.taskId, depth: run.depth });
        for (const ancestor of run.ancestors) publishEvent(deps, ancestor, event.kind, nested, parent);
      } catch (err) {
        deps.log.warn({ err, workflowId: event.workflowId, taskId: event.taskId, kind: event.kind }, "could not publish an event");
      }
    },
    cancelRemote: (workflowId: string, taskId: string | undefined, reason: string) => {
      const command: CancelCommand = { workflowId, reason, ...(taskId ? { taskId } : {}) };
      deps.nc.publish(Subjects.cancel, encodeJson(command));
      // Sub-agents' workflows under what was cancelled go too, at once.
      for (const childId of deps.runs.get(workflowId)?.children ?? []) {
        const child = deps.runs.get(childId);
        if (child && !child.done && (!taskId || child.parent?.taskId === taskId))
          child.cancel(`parent ${taskId ? `task ${workflowId}/${taskId}` : `workflow ${workflowId}`} cancelled: ${reason}`);
      }
    },
    changed: (run) => deps.changed(run),
    finished: (run) => deps.finished(run),
  };
}
