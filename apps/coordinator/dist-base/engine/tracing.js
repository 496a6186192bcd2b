import { SpanKind, SpanStatusCode, context, trace } from "@opentelemetry/api";
import { tracer } from "@toolmesh/core";
/** One span per workflow, the parent of every dispatch, so a workflow is one trace. */
export class WorkflowTraces {
    #spans = new Map();
    started(id, name, tasks, parent) {
        const span = tracer("toolmesh-coordinator").startSpan(`workflow ${name}`, { kind: SpanKind.INTERNAL, attributes: { "toolmesh.workflow_id": id, "toolmesh.tasks": tasks } }, parent);
        this.#spans.set(id, { span, ctx: trace.setSpan(parent, span) });
    }
    /** A resumed workflow's original trace is gone with its coordinator; it gets a new root. */
    resumed(id, name) {
        this.#spans.set(id, {
            span: tracer("toolmesh-coordinator").startSpan(`workflow ${name} (resumed)`, { attributes: { "toolmesh.workflow_id": id } }),
            ctx: context.active(),
        });
    }
    /** The context a workflow's dispatches are traced under. */
    contextOf(id) {
        return this.#spans.get(id)?.ctx ?? context.active();
    }
    finished(run) {
        const traced = this.#spans.get(run.id);
        if (!traced)
            return;
        if (run.state !== "succeeded")
            traced.span.setStatus({ code: SpanStatusCode.ERROR, message: run.error ?? run.state });
        traced.span.end();
        this.#spans.delete(run.id);
    }
}
//# sourceMappingURL=tracing.js.map