import { status } from "@grpc/grpc-js";
import type { Context } from "@opentelemetry/api";
import { ErrorCode, ToolError } from "@toolmesh/core";
import type { CallToolRequest, TaskStatus } from "@toolmesh/proto";
import { SpecTooLargeError, checkText, validateWorkflow } from "@toolmesh/spec";
import { parseToolArgs } from "@toolmesh/tools";
import { prepareQuietCall } from "../quiet/prepare.js";
import { taskStatus } from "./convert.js";
import type { ServiceDeps } from "./service.js";
import { specLimits } from "./spec-limits.js";
import { grpcStatusOf, serviceError } from "./status.js";

/** A call's TaskStatus, and about its encoded size when known to be small (see QuietCalls.outcome). */
export interface CallAnswer {
  status: TaskStatus;
  wireBytes?: number;
}

/** Registers how to cancel a call when its caller goes away; returns how to forget it. */
export type CancelTracker = (cancel: (reason: string) => void) => () => void;

/**
 * One tool call: arguments checked with the tool's schema (INVALID_ARGUMENT
 * otherwise), then the result, or the tool's error as the gRPC status of its
 * code. A worker pool's tool runs as a quiet call (apps/coordinator/src/quiet:
 * no WorkflowRun, nothing stored); the rest, and every request the quiet path
 * does not take, as a one-task, event-less workflow. `wireBytes`: about the
 * status's encoded size when it is known to be small.
 */
export async function runOneCall(deps: ServiceDeps, request: CallToolRequest, ctx: Context, track: CancelTracker): Promise<CallAnswer> {
  checkText(request.tool, "tool", 128);
  const prepared = prepareQuietCall(request, specLimits(deps));
  if (prepared) {
    const call = deps.engine.quiet.call(prepared, ctx);
    const untrack = track((reason) => call.cancel(reason));
    const outcome = await deps.engine.quiet.outcome(call).finally(untrack);
    if ("error" in outcome) throw serviceError(grpcStatusOf(outcome.error.code), `${request.tool}: ${outcome.error.message}`);
    return outcome;
  }
  const spec = {
    name: `call ${request.tool}`,
    defaultTimeoutMs: request.timeoutMs,
    priority: 0,
    limits: undefined,
    parent: undefined,
    tasks: [
      {
        id: "call",
        tool: request.tool,
        args: request.args ?? {},
        dependsOn: [],
        timeoutMs: request.timeoutMs,
        retry: request.retry,
        forEach: undefined,
        fanIn: undefined,
        stage: "",
      },
    ],
  };
  let valid;
  try {
    // Size: the call's arguments must fit the spec limit and one bus message.
    valid = validateWorkflow(spec, Buffer.byteLength(JSON.stringify(request.args ?? {})), specLimits(deps));
  } catch (err) {
    if (err instanceof SpecTooLargeError) throw err;
    // For a single call, name an argument problem without the task framing.
    try {
      parseToolArgs(request.tool, request.args ?? {});
    } catch (argsErr) {
      throw serviceError(status.INVALID_ARGUMENT, argsErr instanceof ToolError ? argsErr.message : String(argsErr));
    }
    throw err;
  }
  const submitted = await deps.engine.submit(valid, ctx, { quiet: true });
  const untrack = track((reason) => submitted.cancel(reason));
  const run = await deps.engine.whenDone(submitted).finally(untrack);
  const task = run.tasks.get("call")!;
  if (task.state !== "succeeded") {
    const error = task.error ?? { code: ErrorCode.INTERNAL, message: run.error ?? "call failed" };
    throw serviceError(grpcStatusOf(error.code), `${request.tool}: ${error.message}`);
  }
  // A single call's caller wants the output itself, even when it was large.
  return { status: { ...taskStatus(task), output: await run.outputOf(task) } };
}
