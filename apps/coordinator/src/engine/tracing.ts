import { ROOT_CONTEXT, SpanKind, SpanStatusCode, context, isSpanContextValid, trace, type Context, type Span } from "@opentelemetry/api";
import { tracer } from "@toolmesh/core";
import type { WorkflowRun } from "../workflow/run.js";

const MAX_TRACE_IDS = 10_000;

/** One span per workflow, the parent of every dispatch, so a workflow is one trace. */
export class WorkflowTraces {
  readonly #spans = new Map<string, { span: Span; ctx: Context }>();
  /** Trace ids of the latest workflows, finished ones too (GetWorkflow shows them), oldest first. */
  readonly #traceIds = new Map<string, string>();

  started(id: string, name: string, tasks: number, parent: Context): void {
    const span = tracer("toolmesh-coordinator").startSpan(
      `workflow ${name}`,
      { kind: SpanKind.INTERNAL, attributes: { "toolmesh.workflow_id": id, "toolmesh.tasks": tasks } },
      parent,
    );
    this.#spans.set(id, { span, ctx: trace.setSpan(parent, span) });
    this.#remember(id, span);
  }

  /** A resumed workflow's original trace is gone with its coordinator; it gets a new root, parent of its dispatches. */
  resumed(id: string, name: string): void {
    const span = tracer("toolmesh-coordinator").startSpan(
      `workflow ${name} (resumed)`,
      { attributes: { "toolmesh.workflow_id": id } },
      ROOT_CONTEXT,
    );
    this.#spans.set(id, { span, ctx: trace.setSpan(ROOT_CONTEXT, span) });
    this.#remember(id, span);
  }

  /** The workflow's trace id, "" when it was not traced (no tracing SDK and no traced caller). */
  traceIdOf(id: string): string {
    return this.#traceIds.get(id) ?? "";
  }

  #remember(id: string, span: Span): void {
    const spanContext = span.spanContext();
    if (!isSpanContextValid(spanContext)) return;
    this.#traceIds.set(id, spanContext.traceId);
    // Bounded: the oldest go first.
    if (this.#traceIds.size > MAX_TRACE_IDS) this.#traceIds.delete(this.#traceIds.keys().next().value!);
  }

  /** The context a workflow's dispatches are traced under. */
  contextOf(id: string): Context {
    return this.#spans.get(id)?.ctx ?? context.active();
  }

  finished(run: WorkflowRun): void {
    const traced = this.#spans.get(run.id);
    if (!traced) return;
    if (run.state !== "succeeded") traced.span.setStatus({ code: SpanStatusCode.ERROR, message: run.error ?? run.state });
    traced.span.end();
    this.#spans.delete(run.id);
  }
}
