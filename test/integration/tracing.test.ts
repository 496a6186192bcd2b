import { InMemorySpanExporter } from "@opentelemetry/sdk-trace-base";
import { initTracing, tracer } from "@toolmesh/core";
import { afterAll, beforeAll, expect, it } from "vitest";
import { SpanKind, context, trace } from "@opentelemetry/api";
import { task, workflow } from "../support/spec.js";
import { startStack, testHandlers, type TestStack } from "../support/stack.js";

const exporter = new InMemorySpanExporter();
let stack: TestStack;
beforeAll(async () => {
  initTracing("tracing-test", { exporter });
  stack = await startStack();
  await stack.addWorker("test", testHandlers);
});
afterAll(async () => stack?.stop());

it("one workflow is one trace: client span → gRPC client/server spans → workflow span → task publish → worker spans", async () => {
  const clientSpan = tracer("test-client").startSpan("agent step");
  const wf = await context.with(trace.setSpan(context.active(), clientSpan), () =>
    stack.client.run(
      workflow("traced", [task("a", "test.echo", { value: 1 }), task("b", "test.echo", { value: 2 }, { dependsOn: ["a"] })]),
    ),
  );
  clientSpan.end();
  const traceId = clientSpan.spanContext().traceId;

  const byName = (name: string) => exporter.getFinishedSpans().filter((s) => s.name === name);
  // Spans are exported as they end; the workflow's may end a moment after the client saw the result.
  await expect
    .poll(
      () =>
        byName("workflow traced").length +
        byName("process tm.data.task.test").filter((s) => s.attributes["toolmesh.workflow_id"] === wf.id).length,
      { timeout: 10_000 },
    )
    .toBe(3);
  const submit = byName("toolmesh.v1.Coordinator/SubmitWorkflow").filter((s) => s.spanContext().traceId === traceId);
  const client = submit.find((s) => s.kind === SpanKind.CLIENT);
  const server = submit.find((s) => s.kind === SpanKind.SERVER);
  const workflowSpan = byName("workflow traced")[0];
  const workerSpans = byName("process tm.data.task.test").filter((s) => s.attributes["toolmesh.workflow_id"] === wf.id);
  const taskPublishes = byName("publish tm.data.task.test").filter((s) => s.spanContext().traceId === traceId);
  expect(client?.parentSpanContext?.spanId).toBe(clientSpan.spanContext().spanId);
  expect(server?.parentSpanContext?.spanId).toBe(client?.spanContext().spanId);
  // GetWorkflow names the trace (the console shows it with every task).
  expect((await stack.client.get(wf.id)).traceId).toBe(traceId);
  expect(workflowSpan?.spanContext().traceId).toBe(traceId);
  expect(workflowSpan?.parentSpanContext?.spanId).toBe(server?.spanContext().spanId);
  expect(workerSpans).toHaveLength(2);
  expect(taskPublishes).toHaveLength(2);
  for (const publish of taskPublishes) {
    expect(publish.kind).toBe(SpanKind.PRODUCER);
    expect(publish.parentSpanContext?.spanId).toBe(workflowSpan?.spanContext().spanId);
  }
  for (const span of workerSpans) {
    // Crossed NATS in message headers: same trace, parent is the PRODUCER span of its task's publish.
    expect(span.kind).toBe(SpanKind.CONSUMER);
    expect(span.spanContext().traceId).toBe(traceId);
    expect(taskPublishes.map((p) => p.spanContext().spanId)).toContain(span.parentSpanContext?.spanId);
  }
});
