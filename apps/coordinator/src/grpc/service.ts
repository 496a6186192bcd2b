import { status, type sendUnaryData, type ServerUnaryCall, type ServerWritableStream } from "@grpc/grpc-js";
import { context, type Context } from "@opentelemetry/api";
import type { JetStreamClient, JetStreamManager } from "@nats-io/jetstream";
import type { NatsConnection } from "@nats-io/transport-node";
import { Subjects, decodeJson } from "@toolmesh/core";
import {
  WorkflowSpec,
  type ExpandTemplateRequest,
  type RunTemplateRequest,
  type CoordinatorServer,
  type WatchWorkflowResponse,
  type Workflow,
  type WorkflowSummary,
} from "@toolmesh/proto";
import {
  checkId,
  checkJsonValue,
  checkTaskOrItemId,
  checkTemplateName,
  checkText,
  validateWorkflow,
  type SpecLimits,
} from "@toolmesh/spec";
import type { CapacityView } from "../capacity.js";
import type { CoordinatorMetrics } from "../coordinator-metrics.js";
import type { Engine } from "../engine.js";
import { watchEvents } from "../watch.js";
import { checkToken } from "./auth.js";
import { checkDecoded, firstFieldWireBytes } from "./decoding.js";
import { listCatalogTools } from "./catalog.js";
import { outputEvent, workflowEvent } from "./convert.js";
import type { Router } from "./routing.js";
import { startServerSpan } from "./server-span.js";
import { toServiceError } from "./status.js";
import { checkCodebaseScopes, templateSpec } from "./templates.js";
import { callToolsStream } from "./call-tools.js";
import { runOneCall } from "./one-call.js";
import { specLimits } from "./spec-limits.js";
import { submitAnywhere } from "./workflow-calls.js";

export interface ServiceDeps {
  engine: Engine;
  nc: NatsConnection;
  capacity: CapacityView;
  js: JetStreamClient;
  jsm: JetStreamManager;
  metrics: CoordinatorMetrics;
  limits: SpecLimits;
  token: string | undefined;
  /** Takes a workflow's calls to the owner of its partition (here or another coordinator). */
  router: Router;
}

/**
 * Wraps a unary handler: token check, a SERVER span continuing the client's
 * trace (traceparent metadata), the status metric, and every thrown error
 * turned into a gRPC status.
 */
function unary<Req, Res>(
  deps: ServiceDeps,
  method: string,
  handler: (request: Req, ctx: Context, call: ServerUnaryCall<Req, Res>) => Promise<Res>,
): (call: ServerUnaryCall<Req, Res>, callback: sendUnaryData<Res>) => void {
  return (call, callback) => {
    const span = startServerSpan(call, method);
    const { ctx } = span;
    context
      .with(ctx, async () => {
        checkToken(deps.token, call.metadata);
        checkDecoded(call.request, `${method}Request`);
        return handler(call.request, ctx, call);
      })
      .then(
        (response) => {
          deps.metrics.grpcRequests.inc({ method, code: "OK" });
          span.end(status.OK);
          callback(null, response);
        },
        (err: unknown) => {
          const error = toServiceError(err);
          deps.metrics.grpcRequests.inc({ method, code: status[error.code] ?? String(error.code) });
          span.end(error.code, error.details);
          callback(error);
        },
      );
  };
}

export function coordinatorService(deps: ServiceDeps): CoordinatorServer {
  const { engine, router } = deps;
  const partitionOf = (workflowId: string): number => engine.partitionOf(workflowId);
  return {
    submitWorkflow: unary(deps, "SubmitWorkflow", async (request: { spec?: WorkflowSpec }, ctx) => {
      // As it came on the wire; encoded again only when the request did not come through tolerantDecoding.
      const bytes = request.spec ? (firstFieldWireBytes(request) ?? WorkflowSpec.encode(request.spec).finish().length) : 0;
      const valid = validateWorkflow(request.spec, bytes, specLimits(deps));
      return submitAnywhere(engine, router, request.spec!, valid, ctx);
    }),

    getWorkflow: unary(deps, "GetWorkflow", async (request: { workflowId: string }) => {
      checkId(request.workflowId, "workflowId");
      return { workflow: await router.call<Workflow>(partitionOf(request.workflowId), "get", { workflowId: request.workflowId }) };
    }),

    listWorkflows: unary(deps, "ListWorkflows", async (request: { limit: number }) => ({
      workflows: await router.list<WorkflowSummary>(Math.min(request.limit || 100, 10_000)),
    })),

    cancelWorkflow: unary(deps, "CancelWorkflow", async (request: { workflowId: string; reason: string }) => {
      checkId(request.workflowId, "workflowId");
      checkText(request.reason, "reason");
      return router.call(partitionOf(request.workflowId), "cancel", { workflowId: request.workflowId, reason: request.reason });
    }),

    cancelTask: unary(deps, "CancelTask", async (request: { workflowId: string; taskId: string; reason: string }) => {
      checkId(request.workflowId, "workflowId");
      checkTaskOrItemId(request.taskId, "taskId");
      checkText(request.reason, "reason");
      const { workflowId, taskId, reason } = request;
      return router.call(partitionOf(workflowId), "cancelTask", { workflowId, taskId, reason });
    }),

    callTool: unary(deps, "CallTool", async (request, ctx, call) => {
      const answer = await runOneCall(deps, request, ctx, (cancel) => {
        const onCancelled = (): void => cancel("the caller cancelled CallTool");
        call.once("cancelled", onCancelled);
        return () => call.removeListener("cancelled", onCancelled);
      });
      return { result: answer.status };
    }),

    callTools: callToolsStream(deps),

    getCapacity: unary(deps, "GetCapacity", async () => ({ pools: await deps.capacity.pools(deps.jsm) })),

    listTools: unary(deps, "ListTools", async () => ({ tools: listCatalogTools() })),

    runTemplate: unary(deps, "RunTemplate", async (request: RunTemplateRequest, ctx) => {
      const spec = templateSpec(checkTemplateRequest(request));
      const valid = validateWorkflow(spec, WorkflowSpec.encode(spec).finish().length, specLimits(deps));
      // An unknown root or a missing path: one error now, not one per codebase task.
      await checkCodebaseScopes(deps, request.template, spec, ctx);
      return submitAnywhere(engine, router, spec, valid, ctx);
    }),
    expandTemplate: unary(deps, "ExpandTemplate", async (request: ExpandTemplateRequest) => ({
      spec: templateSpec(checkTemplateRequest(request)),
    })),
    getTaskOutput: unary(deps, "GetTaskOutput", async (request: { workflowId: string; taskId: string }) => {
      checkId(request.workflowId, "workflowId");
      checkTaskOrItemId(request.taskId, "taskId");
      return {
        output: await router.call<Record<string, unknown>>(partitionOf(request.workflowId), "output", {
          workflowId: request.workflowId,
          taskId: request.taskId,
        }),
      };
    }),

    watchWorkflow: (call: ServerWritableStream<{ workflowId: string }, WatchWorkflowResponse>) => {
      // The span lasts as long as the stream: to the terminal event, a failure or the client's cancel.
      const span = startServerSpan(call, "WatchWorkflow");
      const abort = new AbortController();
      call.on("cancelled", () => {
        span.end(status.CANCELLED, "the caller cancelled WatchWorkflow");
        abort.abort();
      });
      void context.with(span.ctx, async () => {
        try {
          checkToken(deps.token, call.metadata);
          checkDecoded(call.request, "WatchWorkflowRequest");
          const { workflowId } = call.request;
          checkId(workflowId, "workflowId");
          // Whether it exists and still runs, from its owner; the events themselves come from TM_EVENTS, here.
          const { done } = await router.call<{ done: boolean }>(partitionOf(workflowId), "watch", { workflowId });
          // Live output rides along with the stored events while the workflow runs.
          const chunks = done
            ? undefined
            : deps.nc.subscribe(`${Subjects.chunk(workflowId, "*")}`, {
                callback: (err, msg) => {
                  if (err || call.writableEnded) return;
                  const taskId = msg.subject.split(".").at(-1) ?? "";
                  call.write({ event: outputEvent(workflowId, taskId, decodeJson(msg.data)) });
                },
              });
          abort.signal.addEventListener("abort", () => chunks?.unsubscribe(), { once: true });
          for await (const { sequence, event } of watchEvents(deps.js, call.request.workflowId, abort.signal)) {
            if (!call.write({ event: workflowEvent(sequence, event) })) {
              await new Promise((resolve) => call.once("drain", resolve));
            }
          }
          chunks?.unsubscribe();
          deps.metrics.grpcRequests.inc({ method: "WatchWorkflow", code: "OK" });
          span.end(status.OK);
          call.end();
        } catch (err) {
          if (abort.signal.aborted) return;
          const error = toServiceError(err);
          deps.metrics.grpcRequests.inc({ method: "WatchWorkflow", code: status[error.code] ?? String(error.code) });
          span.end(error.code, error.details);
          call.emit("error", error);
        }
      });
    },
  };
}

/** A template request's name, parameters and parent are checked like a spec's before the template is built. */
function checkTemplateRequest<R extends RunTemplateRequest | ExpandTemplateRequest>(request: R): R {
  checkTemplateName(request.template, "template");
  checkJsonValue(request.params ?? {}, "params");
  return request;
}
