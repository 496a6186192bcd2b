import type { JsonObject } from "@bufbuild/protobuf";
import { afterAll, beforeAll, expect, it } from "vitest";
import { callDynamic, linkRegistry, ReflectionClient } from "../support/reflection-client.js";
import { startStack, testHandlers, type TestStack } from "../support/stack.js";

// A client with no toolmesh code and no .proto files: it learns the API over
// server reflection, links what it got in a strict registry and calls the
// server with messages built only from those descriptors.
const SERVICES = [
  "toolmesh.v1.Coordinator",
  "grpc.health.v1.Health",
  "grpc.reflection.v1.ServerReflection",
  "grpc.reflection.v1alpha.ServerReflection",
];

let stack: TestStack;
let address: string;
let reflection: ReflectionClient;
beforeAll(async () => {
  stack = await startStack();
  await stack.addWorker("test", testHandlers);
  address = `127.0.0.1:${stack.coordinator.port}`;
  reflection = new ReflectionClient(address);
});
afterAll(async () => {
  reflection?.close();
  await stack?.stop();
});

it("list_services names the Coordinator, health and both reflection services (v1 and v1alpha)", async () => {
  expect((await reflection.listServices("v1")).sort()).toEqual([...SERVICES].sort());
  expect((await reflection.listServices("v1alpha")).sort()).toEqual([...SERVICES].sort());
});

it("serves the real files, with their dependencies, that link in a strict registry", async () => {
  const files = await reflection.descriptors(await reflection.listServices());
  expect([...files.keys()].sort()).toEqual([
    "google/protobuf/struct.proto",
    "grpc/health/v1/health.proto",
    "grpc/reflection/v1/reflection.proto",
    "grpc/reflection/v1alpha/reflection.proto",
    "toolmesh/v1/coordinator.proto",
  ]);
  expect(files.get("toolmesh/v1/coordinator.proto")?.dependency).toEqual(["google/protobuf/struct.proto"]);
  const struct = files.get("google/protobuf/struct.proto")!;
  expect(struct.messageType.find((m) => m.name === "Struct")?.nestedType.find((m) => m.name === "FieldsEntry")?.options?.mapEntry).toBe(
    true,
  );

  // file_by_filename gives the file and what it imports.
  const byName = await reflection.ask({ fileByFilename: "toolmesh/v1/coordinator.proto" });
  expect(byName.files?.length).toBe(2);
  const missing = await reflection.ask({ fileByFilename: "toolmesh_v1.proto" });
  expect(missing.error?.code).toBe(5); // NOT_FOUND

  const registry = linkRegistry(files);
  expect(registry.getService("toolmesh.v1.Coordinator")?.methods.map((m) => m.name)).toContain("ListTools");
  expect(registry.getMessage("toolmesh.v1.ToolInfo")?.field.argsSchema?.message?.typeName).toBe("google.protobuf.Struct");
});

it("calls Health/Check, GetCapacity, ListTools and SubmitWorkflow with only the reflected descriptors", async () => {
  const registry = linkRegistry(await reflection.descriptors(["grpc.health.v1.Health", "toolmesh.v1.Coordinator.SubmitWorkflow"]));
  const health = registry.getService("grpc.health.v1.Health")!;
  const coordinator = registry.getService("toolmesh.v1.Coordinator")!;
  const method = (name: string) => coordinator.methods.find((m) => m.name === name)!;

  expect(
    await callDynamic(
      address,
      health.methods.find((m) => m.name === "Check")!,
      { service: "toolmesh.v1.Coordinator" },
      registry,
    ),
  ).toEqual({ status: "SERVING" });

  // The test worker's metrics reach the capacity view on their interval: wait for its pool.
  let capacity: JsonObject = {};
  for (const until = Date.now() + 20_000; Date.now() < until; await new Promise((r) => setTimeout(r, 100))) {
    capacity = (await callDynamic(address, method("GetCapacity"), {}, registry)) as JsonObject;
    if (JSON.stringify(capacity).includes('"pool":"test"')) break;
  }
  expect(capacity.pools).toEqual(
    expect.arrayContaining([expect.objectContaining({ pool: "test", tools: expect.arrayContaining(["test.echo"]) })]),
  );

  const tools = ((await callDynamic(address, method("ListTools"), {}, registry)) as { tools: JsonObject[] }).tools;
  expect(tools.find((t) => t.name === "code.grep")).toMatchObject({
    pool: "codebase",
    argsSchema: { type: "object", required: ["pattern"] },
    shareable: true,
  });

  const submitted = (await callDynamic(
    address,
    method("SubmitWorkflow"),
    { spec: { name: "reflected", tasks: [{ id: "echo", tool: "test.echo", args: { value: { from: "reflection" } } }] } },
    registry,
  )) as { workflowId: string };
  expect(submitted.workflowId).toMatch(/.+/);
  for await (const _event of stack.client.watch(submitted.workflowId));
  const got = (await callDynamic(address, method("GetWorkflow"), { workflowId: submitted.workflowId }, registry)) as JsonObject;
  expect(got).toMatchObject({
    workflow: { state: "WORKFLOW_STATE_SUCCEEDED", tasks: [{ id: "echo", output: { value: { from: "reflection" } } }] },
  });
});
