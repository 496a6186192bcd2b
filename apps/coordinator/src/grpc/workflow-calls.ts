import { status } from "@grpc/grpc-js";
import { context, type Context } from "@opentelemetry/api";
import { WorkflowSpec } from "@toolmesh/proto";
import { validateWorkflow, type SpecLimits, type ValidWorkflow } from "@toolmesh/spec";
import type { Engine } from "../engine.js";
import { NotOwnerError } from "../partition/workflow-ids.js";
import { taskState, workflow, workflowState } from "./convert.js";
import type { LocalHandlers, Router } from "./routing.js";
import { serviceError } from "./status.js";

/**
 * The calls on one workflow, as its partition's owner runs them: what
 * the gRPC handlers of the coordinator that owns the partition call
 * directly, and what the others' calls reach over the bus (routing.ts).
 */
export function localWorkflowCalls(engine: Engine, limits: () => SpecLimits): LocalHandlers {
  return {
    submit: async (body) => {
      const bytes = Buffer.from(String(body.spec), "base64");
      const valid = validateWorkflow(WorkflowSpec.decode(bytes), bytes.length, limits());
      const run = await engine.submit(valid, context.active(), { partition: Number(body.partition) });
      return { workflowId: run.id };
    },
    get: async (body) => {
      const run = await engine.find(String(body.workflowId));
      return workflow(run, engine.traceIdOf(run.id));
    },
    cancel: async (body) => {
      const run = await engine.find(String(body.workflowId));
      run.cancel(typeof body.reason === "string" && body.reason ? body.reason : "cancelled by client");
      return { state: workflowState(run.state) };
    },
    cancelTask: async (body) => {
      const run = await engine.find(String(body.workflowId));
      const task = run.tasks.get(String(body.taskId));
      if (!task) throw serviceError(status.NOT_FOUND, `workflow ${run.id} has no task "${String(body.taskId)}"`);
      run.cancelTask(task, typeof body.reason === "string" && body.reason ? body.reason : "cancelled by client");
      return { state: taskState(task.state) };
    },
    output: async (body) => {
      const taskId = String(body.taskId);
      const run = await engine.find(String(body.workflowId));
      const task = run.tasks.get(taskId);
      if (!task) throw serviceError(status.NOT_FOUND, `workflow ${run.id} has no task "${taskId}"`);
      if (task.state !== "succeeded")
        throw serviceError(status.FAILED_PRECONDITION, `task "${taskId}" is ${task.state}; only a succeeded task has an output`);
      return (await run.outputOf(task)) ?? {};
    },
    // What a watcher elsewhere needs to know first: that the workflow exists, and whether it still runs.
    watch: async (body) => ({ done: (await engine.find(String(body.workflowId))).done }),
  };
}

/**
 * Starts a workflow: here, in one of this coordinator's partitions (or its
 * parent's, when this coordinator owns that), else at the owner of the
 * partition it must go to, which validates the spec again.
 */
export async function submitAnywhere(
  engine: Engine,
  router: Router,
  spec: WorkflowSpec,
  valid: ValidWorkflow,
  ctx: Context,
): Promise<{ workflowId: string }> {
  try {
    return { workflowId: (await engine.submit(valid, ctx)).id };
  } catch (err) {
    if (!(err instanceof NotOwnerError)) throw err;
    const encoded = Buffer.from(WorkflowSpec.encode(spec).finish()).toString("base64");
    return router.call(err.partition, "submit", { spec: encoded, partition: err.partition });
  }
}
