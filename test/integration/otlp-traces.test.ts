import { startTestNats, type NatsServerHandle } from "@toolmesh/testing";
import type { ChildProcess } from "node:child_process";
import { once } from "node:events";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { runCli } from "../support/cli-process.js";
import { startCoordinatorProcess, type CoordinatorProcess } from "../support/coordinator-process.js";
import { startOtlpReceiver, type OtlpReceiver, type ReceivedSpan } from "../support/otlp-receiver.js";
import { spawnService } from "../support/stack.js";

// A real coordinator and a real worker process on a test nats-server, each exporting over a
// different OTLP protocol to one local receiver that decodes with the official protos; the CLI
// runs the workflow and exports its own spans too.
let nats: NatsServerHandle;
let receiver: OtlpReceiver;
let coordinator: CoordinatorProcess;
let worker: ChildProcess;
let dir: string;
const fast = { OTEL_BSP_SCHEDULE_DELAY: "100" };

beforeAll(async () => {
  nats = await startTestNats();
  receiver = await startOtlpReceiver();
  dir = await mkdtemp(join(tmpdir(), "toolmesh-otlp-"));
  coordinator = await startCoordinatorProcess({
    ...fast,
    TOOLMESH_NATS_URL: nats.url,
    TOOLMESH_LOG_LEVEL: "debug",
    OTEL_EXPORTER_OTLP_PROTOCOL: "grpc",
    OTEL_EXPORTER_OTLP_ENDPOINT: receiver.grpcEndpoint,
    OTEL_SERVICE_NAME: "coordinator-under-test",
    OTEL_RESOURCE_ATTRIBUTES: "deployment.environment.name=ci,team=mesh%20ops",
  });
  worker = spawnService("testpool", {
    ...fast,
    TOOLMESH_NATS_URL: nats.url,
    TOOLMESH_INSTANCE_ID: "testpool-traced",
    OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: "http/protobuf",
    OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: `${receiver.httpEndpoint}/v1/traces`,
  });
}, 60_000);

afterAll(async () => {
  if (worker && worker.exitCode === null) {
    const exited = once(worker, "exit");
    worker.kill("SIGTERM");
    await exited;
  }
  await coordinator?.stop();
  await receiver?.close();
  await nats?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

const cliEnv = (): Record<string, string> => ({
  ...fast,
  OTEL_EXPORTER_OTLP_PROTOCOL: "http/json",
  OTEL_EXPORTER_OTLP_ENDPOINT: receiver.httpEndpoint,
});

function one(spans: ReceivedSpan[], match: (s: ReceivedSpan) => boolean, what: string): ReceivedSpan {
  const found = spans.filter(match);
  expect(found, what).toHaveLength(1);
  return found[0]!;
}

it("one CLI command is one trace: CLI root → gRPC client/server → workflow → NATS producer/consumer, by the conventions", async () => {
  const file = join(dir, "traced.yaml");
  await writeFile(file, "name: traced\ntasks:\n  - id: a\n    tool: test.echo\n    args: { value: 1 }\n");
  const cli = await runCli(["run", file, "--json", "--address", `127.0.0.1:${coordinator.port}`], cliEnv());
  expect(cli.code, cli.stderr).toBe(0);

  await expect.poll(() => receiver.spans.some((s) => s.name === "toolmesh run"), { timeout: 20_000 }).toBe(true);
  const root = receiver.spans.find((s) => s.name === "toolmesh run")!;
  const inTrace = (): ReceivedSpan[] => receiver.spans.filter((s) => s.traceId === root.traceId);
  // Everything below reaches the receiver from three processes, each batching on its own: wait for the last of each.
  for (const name of [
    "process tm.data.result.{route}.{workflow_id}",
    "publish tm.evt.{workflow_id}.workflow.succeeded",
    "process tm.data.task.test",
    "toolmesh.v1.Coordinator/GetWorkflow",
  ]) {
    await expect.poll(() => inTrace().filter((s) => s.name === name).length, { timeout: 20_000 }).toBeGreaterThanOrEqual(1);
  }
  await expect.poll(() => inTrace().filter((s) => s.kind === "SERVER").length, { timeout: 20_000 }).toBe(3);
  const spans = inTrace();

  // The CLI: its root, and a CLIENT span per call, all children of the root.
  expect(root.parentSpanId).toBe("");
  expect(root.protocol).toBe("http/json");
  expect(root.resource["service.name"]).toBe("toolmesh-cli");
  for (const method of ["SubmitWorkflow", "WatchWorkflow", "GetWorkflow"]) {
    const client = one(spans, (s) => s.kind === "CLIENT" && s.name === `toolmesh.v1.Coordinator/${method}`, `client ${method}`);
    expect(client.parentSpanId).toBe(root.spanId);
    expect(client.attributes).toMatchObject({
      "rpc.system": "grpc",
      "rpc.service": "toolmesh.v1.Coordinator",
      "rpc.method": method,
      "rpc.grpc.status_code": 0,
      "rpc.status_code": "OK",
      "server.address": "127.0.0.1",
      "server.port": coordinator.port,
    });
    // Each call's SERVER span (the stream's too, ended with it) is the child of its CLIENT span.
    const server = one(spans, (s) => s.kind === "SERVER" && s.parentSpanId === client.spanId, `server ${method}`);
    expect(server.name).toBe(`toolmesh.v1.Coordinator/${method}`);
    expect(server.protocol).toBe("grpc");
    expect(server.attributes).toMatchObject({
      "rpc.system": "grpc",
      "rpc.method": method,
      "rpc.grpc.status_code": 0,
      "server.port": coordinator.port,
    });
    expect(server.attributes["client.address"]).toBe("127.0.0.1");
  }

  // The coordinator's resource: env over code, the SDK's detectors, toolmesh's own attributes.
  const submitServer = one(spans, (s) => s.kind === "SERVER" && s.name.endsWith("/SubmitWorkflow"), "server submit");
  expect(submitServer.resource).toMatchObject({
    "service.name": "coordinator-under-test",
    "service.namespace": "toolmesh",
    "service.version": "0.1.0",
    "deployment.environment.name": "ci",
    team: "mesh ops",
    "telemetry.sdk.language": "nodejs",
    "process.pid": expect.any(Number),
    "host.name": expect.any(String),
  });
  expect(submitServer.resource["service.instance.id"]).toMatch(/^coordinator-[0-9a-f]{8}$/);
  expect(coordinator.lines.find((l) => l.msg === "ready")?.instanceId).toBe(submitServer.resource["service.instance.id"]);

  // workflow → PRODUCER (task) → CONSUMER (worker) → PRODUCER (result) → CONSUMER (coordinator).
  const workflowSpan = one(spans, (s) => s.name === "workflow traced", "workflow span");
  expect(workflowSpan.parentSpanId).toBe(submitServer.spanId);
  const publishTask = one(spans, (s) => s.kind === "PRODUCER" && s.name === "publish tm.data.task.test", "task publish");
  expect(publishTask.parentSpanId).toBe(workflowSpan.spanId);
  expect(publishTask.attributes).toMatchObject({
    "messaging.system": "nats",
    "messaging.destination.name": "tm.data.task.test",
    "messaging.operation.type": "send",
    "messaging.operation.name": "publish",
  });
  const process = one(spans, (s) => s.kind === "CONSUMER" && s.name === "process tm.data.task.test", "worker process");
  expect(process.parentSpanId).toBe(publishTask.spanId);
  expect(process.protocol).toBe("http/protobuf");
  expect(process.attributes).toMatchObject({
    "messaging.system": "nats",
    "messaging.destination.name": "tm.data.task.test",
    "messaging.operation.type": "process",
    "messaging.consumer.group.name": "workers",
    "toolmesh.tool": "test.echo",
  });
  expect(process.resource).toMatchObject({
    "service.name": "testpool",
    "service.namespace": "toolmesh",
    "service.instance.id": "testpool-traced",
  });
  const publishResult = one(
    spans,
    (s) => s.kind === "PRODUCER" && s.name === "publish tm.data.result.{route}.{workflow_id}",
    "result publish",
  );
  expect(publishResult.parentSpanId).toBe(process.spanId);
  expect(publishResult.attributes["messaging.destination.name"]).toMatch(/^tm\.data\.result\.p\d+\.\S+$/);
  const ingest = one(spans, (s) => s.kind === "CONSUMER" && s.name === "process tm.data.result.{route}.{workflow_id}", "result process");
  expect(ingest.parentSpanId).toBe(publishResult.spanId);
  expect(ingest.attributes).toMatchObject({ "messaging.system": "nats", "messaging.operation.type": "process" });
  expect(ingest.resource["service.name"]).toBe("coordinator-under-test");
  // Events are PRODUCER spans too: the worker's task.started under its task, the coordinator's under the workflow.
  const started = one(spans, (s) => s.name === "publish tm.evt.{workflow_id}.task.started", "task.started event");
  expect(started).toMatchObject({ kind: "PRODUCER", parentSpanId: process.spanId });
  expect(one(spans, (s) => s.name === "publish tm.evt.{workflow_id}.workflow.succeeded", "workflow event").parentSpanId).toBe(
    workflowSpan.spanId,
  );

  // A log line written inside a span names it: the coordinator logs the finish inside the result's process span.
  await expect
    .poll(() => coordinator.lines.find((l) => l.msg === "workflow finished" && l.name === "traced"), { timeout: 10_000 })
    .toBeDefined();
  const finished = coordinator.lines.find((l) => l.msg === "workflow finished" && l.name === "traced")!;
  expect(finished).toMatchObject({ trace_id: root.traceId, span_id: ingest.spanId });
});

it("a failed call: the CLIENT span is an error with the gRPC code, the SERVER span an error for a server-side code", async () => {
  const cli = await runCli(
    ["call", "test.fail", "--args", '{"code":"INTERNAL","message":"boom"}', "--address", `127.0.0.1:${coordinator.port}`],
    cliEnv(),
  );
  expect(cli.code).not.toBe(0);
  await expect.poll(() => receiver.spans.filter((s) => s.name === "toolmesh call").length, { timeout: 20_000 }).toBe(1);
  const root = receiver.spans.find((s) => s.name === "toolmesh call")!;
  expect(root.status).toBe("ERROR");
  await expect
    .poll(() => receiver.spans.filter((s) => s.traceId === root.traceId && s.kind === "SERVER").length, { timeout: 20_000 })
    .toBe(1);
  const spans = receiver.spans.filter((s) => s.traceId === root.traceId);
  const client = one(spans, (s) => s.kind === "CLIENT", "client CallTool");
  expect(client).toMatchObject({ name: "toolmesh.v1.Coordinator/CallTool", parentSpanId: root.spanId, status: "ERROR" });
  expect(client.attributes).toMatchObject({ "rpc.grpc.status_code": 13, "rpc.status_code": "INTERNAL" });
  const server = one(spans, (s) => s.kind === "SERVER", "server CallTool");
  expect(server).toMatchObject({ parentSpanId: client.spanId, status: "ERROR" });
  expect(server.attributes).toMatchObject({ "rpc.method": "CallTool", "rpc.grpc.status_code": 13 });
});

it("a bad OTEL_* variable stops a service at start-up, naming it", async () => {
  const { coordinatorStartFailure } = await import("../support/coordinator-process.js");
  const bad = await coordinatorStartFailure({ TOOLMESH_NATS_URL: nats.url, OTEL_EXPORTER_OTLP_PROTOCOL: "thrift" });
  expect(bad.code).toBe(1);
  expect(bad.stderr).toMatch(/OTEL_EXPORTER_OTLP_PROTOCOL/);
  const attrs = await coordinatorStartFailure({ TOOLMESH_NATS_URL: nats.url, OTEL_RESOURCE_ATTRIBUTES: "team" });
  expect(attrs.code).toBe(1);
  expect(attrs.stderr).toMatch(/OTEL_RESOURCE_ATTRIBUTES.*"team" is not key=value/);
});
