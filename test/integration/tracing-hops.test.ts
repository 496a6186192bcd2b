import { SpanKind, context, trace } from "@opentelemetry/api";
import { connect, type NatsConnection } from "@nats-io/transport-node";
import type { ReadableSpan } from "@opentelemetry/sdk-trace-base";
import { InMemorySpanExporter } from "@opentelemetry/sdk-trace-base";
import { ToolmeshClient } from "@toolmesh/client";
import type { RunningCoordinator } from "@toolmesh/coordinator";
import { createLogger, createRegistry, initTracing, tracer } from "@toolmesh/core";
import { startWorker, type Worker } from "@toolmesh/runtime";
import { testHandlers } from "@toolmesh/testpool";
import { startTestNats, waitFor, type NatsServerHandle } from "@toolmesh/testing";
import { afterAll, beforeAll, expect, it } from "vitest";
import { startInProcessCoordinator } from "../support/in-process-coordinator.js";
import { task, workflow } from "../support/spec.js";

// The hops tracing.test.ts does not take: a quiet call's reply straight to its coordinator, and a
// call forwarded between coordinators over the bus (one partition, so the second owns nothing).
const exporter = new InMemorySpanExporter();
const log = createLogger("test", "silent");
let nats: NatsServerHandle;
const connections: NatsConnection[] = [];
const coordinators: RunningCoordinator[] = [];
let worker: Worker;
let owner: ToolmeshClient;
let forwarder: ToolmeshClient;

async function coordinator(): Promise<RunningCoordinator> {
  const started = await startInProcessCoordinator(nats.url, { TOOLMESH_PARTITIONS: "1" }, log, connections);
  coordinators.push(started);
  return started;
}

beforeAll(async () => {
  initTracing("tracing-hops-test", { exporter });
  nats = await startTestNats();
  const nc = await connect({ servers: nats.url });
  connections.push(nc);
  worker = await startWorker({
    service: "hops",
    pool: "test",
    handlers: testHandlers,
    nc,
    log,
    registry: createRegistry("hops"),
    limit: 4,
  });
  const a = await coordinator();
  await waitFor(async () => (a.partitions.length === 1 ? true : undefined), 30_000, "the first coordinator to own the partition");
  const b = await coordinator();
  expect(b.partitions).toEqual([]);
  owner = new ToolmeshClient(`127.0.0.1:${a.port}`);
  forwarder = new ToolmeshClient(`127.0.0.1:${b.port}`);
}, 120_000);

afterAll(async () => {
  owner?.close();
  forwarder?.close();
  await worker?.drain(1000);
  for (const c of coordinators) await c.close();
  for (const nc of connections) await nc.close();
  await nats?.stop();
});

/** Runs `body` inside a fresh root span; its trace's finished spans, once `ready` holds for them. */
async function traced(body: () => Promise<unknown>, ready: (spans: ReadableSpan[]) => boolean): Promise<ReadableSpan[]> {
  const root = tracer("test").startSpan("test root");
  await context.with(trace.setSpan(context.active(), root), body);
  root.end();
  const inTrace = (): ReadableSpan[] => exporter.getFinishedSpans().filter((s) => s.spanContext().traceId === root.spanContext().traceId);
  await expect.poll(() => ready(inTrace()), { timeout: 10_000 }).toBe(true);
  return inTrace();
}

const named = (spans: ReadableSpan[], name: string, kind: SpanKind): ReadableSpan => {
  const found = spans.filter((s) => s.name === name && s.kind === kind);
  expect(found, `${SpanKind[kind]} ${name}`).toHaveLength(1);
  return found[0]!;
};
const parentOf = (span: ReadableSpan): string | undefined => span.parentSpanContext?.spanId;

it("a quiet call: server → task PRODUCER → worker CONSUMER → reply PRODUCER → the coordinator's CONSUMER", async () => {
  const spans = await traced(
    () => owner.call({ tool: "test.echo", args: { value: 7 } }),
    (s) => s.some((x) => x.name === "process tm.data.reply.{coordinator}"),
  );
  const server = named(spans, "toolmesh.v1.Coordinator/CallTool", SpanKind.SERVER);
  const publishTask = named(spans, "publish tm.data.task.test", SpanKind.PRODUCER);
  expect(parentOf(publishTask)).toBe(server.spanContext().spanId);
  const work = named(spans, "process tm.data.task.test", SpanKind.CONSUMER);
  expect(parentOf(work)).toBe(publishTask.spanContext().spanId);
  const reply = named(spans, "publish tm.data.reply.{coordinator}", SpanKind.PRODUCER);
  expect(parentOf(reply)).toBe(work.spanContext().spanId);
  expect(reply.attributes["messaging.destination.name"]).toMatch(/^tm\.data\.reply\.i[0-9a-f]+$/);
  const receipt = named(spans, "process tm.data.reply.{coordinator}", SpanKind.CONSUMER);
  expect(parentOf(receipt)).toBe(reply.spanContext().spanId);
});

it("a workflow submitted through a coordinator that does not own its partition stays one trace", async () => {
  const spans = await traced(
    () => forwarder.run(workflow("forwarded", [task("a", "test.echo", { value: 1 })])),
    (s) => s.some((x) => x.name === "process tm.data.result.{route}.{workflow_id}"),
  );
  const submit = named(spans, "toolmesh.v1.Coordinator/SubmitWorkflow", SpanKind.SERVER);
  const requests = spans.filter((s) => s.name === "publish tm.cmd.coordinator.p{partition}" && parentOf(s) === submit.spanContext().spanId);
  expect(requests).toHaveLength(1);
  const answers = spans.filter((s) => s.name === "process tm.cmd.coordinator.p{partition}" && s.kind === SpanKind.CONSUMER);
  const answer = answers.find((s) => parentOf(s) === requests[0]!.spanContext().spanId);
  expect(answer).toBeDefined();
  const workflowSpan = named(spans, "workflow forwarded", SpanKind.INTERNAL);
  expect(parentOf(workflowSpan)).toBe(answer!.spanContext().spanId);
  const work = named(spans, "process tm.data.task.test", SpanKind.CONSUMER);
  expect(parentOf(named(spans, "publish tm.data.task.test", SpanKind.PRODUCER))).toBe(workflowSpan.spanContext().spanId);
  expect(work.attributes["toolmesh.tool"]).toBe("test.echo");
});
