import { status, } from "@grpc/grpc-js";
import { SpanKind, SpanStatusCode, context, trace } from "@opentelemetry/api";
import { ErrorCode, Subjects, ToolError, decodeJson, extractTraceMap, maxPayloadOf, maxTaskArgsBytes, tracer } from "@toolmesh/core";
import { parseToolArgs } from "@toolmesh/tools";
import { WorkflowSpec, } from "@toolmesh/proto";
import { SpecTooLargeError, checkId, checkJsonValue, checkTaskOrItemId, checkTemplateName, checkText, validateWorkflow, } from "@toolmesh/spec";
import { watchEvents } from "../watch.js";
import { checkToken } from "./auth.js";
import { checkDecoded } from "./decoding.js";
import { listCatalogTools } from "./catalog.js";
import { outputEvent, taskStatus, workflow, workflowEvent, workflowState, workflowSummary } from "./convert.js";
import { grpcStatusOf, serviceError, toServiceError } from "./status.js";
import { checkCodebaseScopes, templateSpec } from "./templates.js";
/** Only the active coordinator runs workflows; a standby says where to go. */
function checkActive(deps) {
    const reason = deps.standbyReason();
    if (reason)
        throw serviceError(status.UNAVAILABLE, reason);
}
function traceParent(metadata) {
    const carrier = {};
    for (const [key, value] of Object.entries(metadata.getMap()))
        carrier[key] = String(value);
    return extractTraceMap(carrier);
}
/**
 * Wraps a unary handler: token check, a SERVER span continuing the client's
 * trace (traceparent metadata), the status metric, and every thrown error
 * turned into a gRPC status.
 */
function unary(deps, method, handler) {
    return (call, callback) => {
        const span = tracer("toolmesh-coordinator").startSpan(`toolmesh.v1.Coordinator/${method}`, { kind: SpanKind.SERVER }, traceParent(call.metadata));
        const ctx = trace.setSpan(context.active(), span);
        context
            .with(ctx, async () => {
            checkToken(deps.token, call.metadata);
            if (method !== "GetCapacity" && method !== "ListTools")
                checkActive(deps);
            checkDecoded(call.request, `${method}Request`);
            return handler(call.request, ctx);
        })
            .then((response) => {
            deps.metrics.grpcRequests.inc({ method, code: "OK" });
            callback(null, response);
        }, (err) => {
            const error = toServiceError(err);
            deps.metrics.grpcRequests.inc({ method, code: status[error.code] ?? String(error.code) });
            span.setStatus({ code: SpanStatusCode.ERROR, message: error.details });
            callback(error);
        })
            .finally(() => span.end());
    };
}
/**
 * The spec limits with the bus's: one task's arguments must fit a NATS
 * message (max_payload less room for the rest of the task message and its
 * stored record), checked before anything is stored or published.
 */
function specLimits(deps) {
    return { ...deps.limits, maxTaskBytes: maxTaskArgsBytes(maxPayloadOf(deps.nc)) };
}
export function coordinatorService(deps) {
    const { engine } = deps;
    return {
        submitWorkflow: unary(deps, "SubmitWorkflow", async (request, ctx) => {
            const bytes = request.spec ? WorkflowSpec.encode(request.spec).finish().length : 0;
            const valid = validateWorkflow(request.spec, bytes, specLimits(deps));
            const run = await engine.submit(valid, ctx);
            return { workflowId: run.id };
        }),
        getWorkflow: unary(deps, "GetWorkflow", async (request) => {
            checkId(request.workflowId, "workflowId");
            return workflow(await engine.find(request.workflowId));
        }),
        listWorkflows: unary(deps, "ListWorkflows", async (request) => ({
            workflows: engine.list(Math.min(request.limit || 100, 10_000)).map(workflowSummary),
        })),
        cancelWorkflow: unary(deps, "CancelWorkflow", async (request) => {
            checkId(request.workflowId, "workflowId");
            checkText(request.reason, "reason");
            const run = await engine.find(request.workflowId);
            run.cancel(request.reason || "cancelled by client");
            return { state: workflowState(run.state) };
        }),
        callTool: unary(deps, "CallTool", (request, ctx) => runOneCall(deps, request, ctx)),
        callTools: (call) => {
            try {
                checkToken(deps.token, call.metadata);
                checkActive(deps);
            }
            catch (err) {
                call.emit("error", toServiceError(err));
                return;
            }
            const ctx = trace.setSpan(context.active(), tracer("toolmesh-coordinator").startSpan("toolmesh.v1.Coordinator/CallTools", { kind: SpanKind.SERVER }, traceParent(call.metadata)));
            let pending = 0;
            let ended = false;
            const finishIfDone = () => {
                if (ended && pending === 0) {
                    trace.getSpan(ctx)?.end();
                    call.end();
                }
            };
            call.on("data", (request) => {
                pending += 1;
                Promise.resolve()
                    .then(() => {
                    checkDecoded(request, "CallToolsRequest");
                    return runOneCall(deps, request.call ?? { tool: "", args: {}, timeoutMs: 0, retry: undefined }, ctx);
                })
                    .then((result) => ({ requestId: request.requestId, result, error: undefined }), (err) => {
                    const error = toServiceError(err);
                    return {
                        requestId: request.requestId,
                        result: undefined,
                        error: { code: status[error.code] ?? "INTERNAL", message: error.details, retryable: false },
                    };
                })
                    .then((response) => {
                    deps.metrics.grpcRequests.inc({ method: "CallTools", code: response.error?.code ?? "OK" });
                    pending -= 1;
                    if (!call.writableEnded && !call.destroyed)
                        call.write(response);
                    finishIfDone();
                })
                    // A response that cannot be written (or any other slip above) fails this stream, not the process.
                    .catch((err) => call.destroy(err instanceof Error ? err : new Error(String(err))));
            });
            call.on("end", () => {
                ended = true;
                finishIfDone();
            });
            call.on("error", () => undefined);
        },
        getCapacity: unary(deps, "GetCapacity", async () => ({ pools: await deps.capacity.pools(deps.jsm) })),
        listTools: unary(deps, "ListTools", async () => ({ tools: listCatalogTools() })),
        runTemplate: unary(deps, "RunTemplate", async (request, ctx) => {
            const spec = templateSpec(checkTemplateRequest(request));
            const valid = validateWorkflow(spec, WorkflowSpec.encode(spec).finish().length, specLimits(deps));
            // An unknown root or a missing path: one error now, not one per codebase task.
            await checkCodebaseScopes(deps, request.template, spec, ctx);
            const run = await engine.submit(valid, ctx);
            return { workflowId: run.id };
        }),
        expandTemplate: unary(deps, "ExpandTemplate", async (request) => templateSpec(checkTemplateRequest(request))),
        getTaskOutput: unary(deps, "GetTaskOutput", async (request) => {
            checkId(request.workflowId, "workflowId");
            checkTaskOrItemId(request.taskId, "taskId");
            const run = await engine.find(request.workflowId);
            const task = run.tasks.get(request.taskId);
            if (!task)
                throw serviceError(status.NOT_FOUND, `workflow ${run.id} has no task "${request.taskId}"`);
            if (task.state !== "succeeded")
                throw serviceError(status.FAILED_PRECONDITION, `task "${request.taskId}" is ${task.state}; only a succeeded task has an output`);
            return (await run.outputOf(task)) ?? {};
        }),
        watchWorkflow: (call) => {
            const abort = new AbortController();
            call.on("cancelled", () => abort.abort());
            void (async () => {
                try {
                    checkToken(deps.token, call.metadata);
                    checkActive(deps);
                    checkDecoded(call.request, "WatchWorkflowRequest");
                    checkId(call.request.workflowId, "workflowId");
                    const run = await engine.find(call.request.workflowId);
                    // Live output rides along with the stored events while the workflow runs.
                    const chunks = run.done
                        ? undefined
                        : deps.nc.subscribe(`${Subjects.chunk(run.id, "*")}`, {
                            callback: (err, msg) => {
                                if (err || call.writableEnded)
                                    return;
                                const taskId = msg.subject.split(".").at(-1) ?? "";
                                call.write(outputEvent(run.id, taskId, decodeJson(msg.data)));
                            },
                        });
                    abort.signal.addEventListener("abort", () => chunks?.unsubscribe(), { once: true });
                    for await (const { sequence, event } of watchEvents(deps.js, call.request.workflowId, abort.signal)) {
                        if (!call.write(workflowEvent(sequence, event))) {
                            await new Promise((resolve) => call.once("drain", resolve));
                        }
                    }
                    chunks?.unsubscribe();
                    deps.metrics.grpcRequests.inc({ method: "WatchWorkflow", code: "OK" });
                    call.end();
                }
                catch (err) {
                    if (abort.signal.aborted)
                        return;
                    const error = toServiceError(err);
                    deps.metrics.grpcRequests.inc({ method: "WatchWorkflow", code: status[error.code] ?? String(error.code) });
                    call.emit("error", error);
                }
            })();
        },
    };
}
/**
 * One tool call as a one-task, event-less workflow: arguments checked with
 * the tool's schema (INVALID_ARGUMENT otherwise), then the result, or the
 * tool's error as the gRPC status of its code.
 */
async function runOneCall(deps, request, ctx) {
    checkText(request.tool, "tool", 128);
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
    }
    catch (err) {
        if (err instanceof SpecTooLargeError)
            throw err;
        // For a single call, name an argument problem without the task framing.
        try {
            parseToolArgs(request.tool, request.args ?? {});
        }
        catch (argsErr) {
            throw serviceError(status.INVALID_ARGUMENT, argsErr instanceof ToolError ? argsErr.message : String(argsErr));
        }
        throw err;
    }
    const run = await deps.engine.whenDone(await deps.engine.submit(valid, ctx, { quiet: true }));
    const task = run.tasks.get("call");
    if (task.state !== "succeeded") {
        const error = task.error ?? { code: ErrorCode.INTERNAL, message: run.error ?? "call failed" };
        throw serviceError(grpcStatusOf(error.code), `${request.tool}: ${error.message}`);
    }
    // A single call's caller wants the output itself, even when it was large.
    return { ...taskStatus(task), output: await run.outputOf(task) };
}
/** A template request's name, parameters and parent are checked like a spec's before the template is built. */
function checkTemplateRequest(request) {
    checkTemplateName(request.template, "template");
    checkJsonValue(request.params ?? {}, "params");
    return request;
}
//# sourceMappingURL=service.js.map