import type { JetStreamClient, JetStreamManager } from "@nats-io/jetstream";
import type { NatsConnection } from "@nats-io/transport-node";
import {
  ErrorCode,
  ToolError,
  Subjects,
  encodeJson,
  ensurePoolStream,
  maxPayloadOf,
  maxTaskMessageBytes,
  publishUntilStored,
  startPublishSpan,
  taskMsgId,
  workerPool,
  type Logger,
  type PoolName,
  type PubAckPublisher,
  type TaskMessage,
} from "@toolmesh/core";
import type { Context } from "@opentelemetry/api";
import type { CoordinatorMetrics } from "../coordinator-metrics.js";
import type { AttemptTokens } from "../workflow/attempt-tokens.js";
import { isTerminal, type TaskRecord, type WorkflowRun } from "../workflow/run.js";

export interface TaskPublisherDeps {
  nc: NatsConnection;
  js: JetStreamClient;
  jsm: JetStreamManager;
  log: Logger;
  metrics: CoordinatorMetrics;
  tokens: AttemptTokens;
  /** Pools whose streams exist already. */
  ensuredPools: Set<PoolName>;
  /** When set, task publishes take their PubAcks through it (one subscription, no nats.js request per publish). */
  acks?: PubAckPublisher;
}

/** Puts one attempt of a task on its pool's work queue, stored before it counts as dispatched. */
export async function publishTask(
  deps: TaskPublisherDeps,
  run: WorkflowRun,
  task: TaskRecord,
  deadlineMs: number,
  parent: Context,
): Promise<void> {
  const pool = workerPool(task.spec.pool);
  // Each agent.run attempt gets a capability of its own: only it may attach child workflows.
  if (task.spec.tool === "agent.run") task.capability = deps.tokens.capability(run.id, task.spec.id, task.attempt);
  const message: TaskMessage = {
    workflowId: run.id,
    taskId: task.spec.id,
    tool: task.spec.tool,
    args: task.spec.args,
    attempt: task.attempt,
    deadlineMs,
    ...(run.quiet ? { quiet: true } : {}),
    ...(task.capability ? { capability: task.capability } : {}),
    attemptToken: deps.tokens.token(task.spec.pool, run.id, task.spec.id, task.attempt),
  };
  const attempt = task.attempt;
  await putOnWorkQueue(deps, pool, message, parent, () => {
    return !run.done && task.attempt === attempt && !isTerminal(task.state) && Date.now() < deadlineMs;
  });
  deps.metrics.tasksDispatched.inc({ pool: task.spec.pool });
}

/** What putting a message on a work queue needs of the coordinator's connection. */
export type WorkQueueDeps = Pick<TaskPublisherDeps, "nc" | "js" | "jsm" | "log" | "ensuredPools" | "acks">;

/**
 * One attempt's message onto its pool's work queue (a workflow's task or a
 * quiet call): refused when it cannot fit one bus message, the pool's stream
 * made first when it is new, retried until stored or no longer wanted.
 */
export async function putOnWorkQueue(
  deps: WorkQueueDeps,
  pool: PoolName,
  message: TaskMessage,
  parent: Context,
  stillWanted: () => boolean,
): Promise<void> {
  const payload = encodeJson(message);
  const maxBytes = maxTaskMessageBytes(maxPayloadOf(deps.nc));
  if (payload.length > maxBytes) {
    throw new ToolError(
      ErrorCode.RESOURCE_EXHAUSTED,
      `the task's arguments take ${payload.length} bytes; a task message can be at most ${maxBytes} bytes (the NATS server's max_payload)`,
      { retryable: false },
    );
  }
  if (!deps.ensuredPools.has(pool)) {
    // A run-time (MCP) pool: its stream is made here too, so a call never races its first worker's set-up.
    await ensurePoolStream(deps.jsm, pool);
    deps.ensuredPools.add(pool);
  }
  // The PRODUCER span covers every try until stored; the worker's process span is its child.
  const publish = startPublishSpan({ subject: Subjects.task(pool) }, parent, payload.length);
  const msgID = taskMsgId(message.workflowId, message.taskId, message.attempt);
  publish.span.setAttribute("messaging.message.id", msgID);
  try {
    await publishUntilStored(
      deps.acks ?? deps.js,
      Subjects.task(pool),
      payload,
      { msgID, headers: publish.headers },
      { log: deps.log, stillWanted },
    );
    publish.end();
  } catch (err) {
    publish.end(err);
    throw err;
  }
}
