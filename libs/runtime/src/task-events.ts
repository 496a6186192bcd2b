import type { Context } from "@opentelemetry/api";
import { Bus, Subjects, encodeJson, startPublishSpan, type EventMessage, type TaskMessage } from "@toolmesh/core";
import type { TaskRunnerDeps } from "./task-runner.js";

/** The span name of an event's subject, whose middle token is a workflow id. */
const EVENT_TEMPLATE = (kind: string): string => `${Bus.events}.{workflow_id}.${kind}`;

/** Best-effort progress events: a core publish, stored by the TM_EVENTS stream. */
export function publishEvent(
  deps: Pick<TaskRunnerDeps, "nc" | "log" | "pool" | "instanceId">,
  task: TaskMessage,
  event: Pick<EventMessage, "kind" | "timeMs" | "progress">,
  parent: Context,
): void {
  const message: EventMessage = {
    ...event,
    workflowId: task.workflowId,
    taskId: task.taskId,
    tool: task.tool,
    pool: deps.pool,
    attempt: task.attempt,
    worker: deps.instanceId,
  };
  const bytes = encodeJson(message);
  const publish = startPublishSpan(
    { subject: Subjects.event(task.workflowId, event.kind), template: EVENT_TEMPLATE(event.kind) },
    parent,
    bytes.length,
  );
  try {
    deps.nc.publish(Subjects.event(task.workflowId, event.kind), bytes, { headers: publish.headers });
    publish.end();
  } catch (err) {
    publish.end(err);
    deps.log.warn({ err }, "could not publish event");
  }
}
