/**
 * The child workflows one agent.run call starts. Each is submitted with a
 * ParentRef to the agent's own task, so the coordinator can show its events in
 * the parent's stream and cancel it with the parent; the agent also cancels
 * every child still running itself when its signal aborts, so a cancel
 * reaches the whole subtree even through a coordinator that does not cascade.
 */
import type { ToolmeshClient } from "@toolmesh/client";
import { abortedError, type Logger } from "@toolmesh/core";
import { WorkflowSpec, WorkflowState, type TaskSpec, type Workflow } from "@toolmesh/proto";
import { fromGrpcError } from "./grpc-errors.js";

/** The part of the coordinator client an agent uses. */
export type CoordinatorApi = Pick<ToolmeshClient, "submit" | "watch" | "get" | "cancel" | "runTemplate" | "taskOutput">;

/**
 * Outputs the coordinator keeps in its object store come back from GetWorkflow
 * as {"$ref", "bytes"}; the agent fetches those up to this size (it only keeps
 * a capped preview, but a preview of the content beats a reference).
 */
export const FETCH_OUTPUT_MAX_BYTES = 8 * 1024 * 1024;

/** The message of an agent's CANCELLED error (a deadline keeps its own ToolError). */
export const AGENT_CANCELLED = "the agent was cancelled";

export interface ChildLimits {
  maxConcurrency: number;
  maxCalls: number;
  /** Per-attempt default for the child's tasks: the agent's time left. */
  timeoutMs: number;
}

export class ChildWorkflows {
  /** Every child workflow started, in order. */
  readonly ids: string[] = [];
  readonly #running = new Set<string>();

  constructor(
    private readonly client: CoordinatorApi,
    private readonly parent: { workflowId: string; taskId: string; capability?: string },
    private readonly log: Logger,
  ) {}

  async submit(name: string, tasks: TaskSpec[], limits: ChildLimits): Promise<string> {
    const spec = WorkflowSpec.fromPartial({
      name,
      tasks,
      defaultTimeoutMs: limits.timeoutMs,
      limits: { maxConcurrency: limits.maxConcurrency, maxCalls: limits.maxCalls },
      parent: this.parent,
    });
    const id = await this.client.submit(spec).catch((err: unknown) => {
      throw fromGrpcError(err, "submitting the child workflow");
    });
    return this.#started(id, tasks.length);
  }

  async runTemplate(template: string, params: Record<string, unknown>): Promise<string> {
    const id = await this.client
      .runTemplate({ template, params, priority: 0, parent: { capability: "", ...this.parent } })
      .catch((err: unknown) => {
        throw fromGrpcError(err, `running template "${template}"`);
      });
    return this.#started(id, 0);
  }

  #started(id: string, tasks: number): string {
    this.ids.push(id);
    this.#running.add(id);
    this.log.info({ childWorkflowId: id, tasks }, "child workflow started");
    return id;
  }

  /** Follows the child's events to its end and returns its final state; throws when `signal` aborts first. */
  async wait(id: string, signal: AbortSignal): Promise<Workflow> {
    try {
      for await (const _event of this.client.watch(id, signal)) {
        if (signal.aborted) break;
      }
    } catch (err) {
      if (!signal.aborted) throw fromGrpcError(err, `watching child workflow ${id}`);
    }
    if (signal.aborted) throw abortedError(signal, AGENT_CANCELLED);
    const workflow = await this.client.get(id).catch((err: unknown) => {
      throw fromGrpcError(err, `reading child workflow ${id}`);
    });
    if (workflow.state !== WorkflowState.WORKFLOW_STATE_RUNNING) this.#running.delete(id);
    await Promise.all(
      workflow.tasks.map(async (task) => {
        const ref = task.output as { $ref?: unknown; bytes?: unknown } | undefined;
        if (typeof ref?.$ref !== "string" || Number(ref.bytes) > FETCH_OUTPUT_MAX_BYTES) return;
        task.output = await this.client.taskOutput(id, task.id).catch((err: unknown) => {
          this.log.warn(
            { childWorkflowId: id, taskId: task.id, err: (err as Error).message },
            "reading a stored output failed; keeping its reference",
          );
          return task.output;
        });
      }),
    );
    return workflow;
  }

  /** Cancels every child that has not finished; failures are logged, not thrown (best effort on the way out). */
  async cancelRunning(reason: string): Promise<void> {
    const ids = [...this.#running];
    this.#running.clear();
    await Promise.all(
      ids.map((id) =>
        this.client.cancel(id, reason).then(
          () => this.log.info({ childWorkflowId: id, reason }, "child workflow cancelled"),
          (err: unknown) => this.log.warn({ childWorkflowId: id, err: (err as Error).message }, "cancelling a child workflow failed"),
        ),
      ),
    );
  }
}
