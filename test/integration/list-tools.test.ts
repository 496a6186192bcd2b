import { status } from "@grpc/grpc-js";
import { connect } from "@nats-io/transport-node";
import { ToolmeshClient } from "@toolmesh/client";
import { coordinatorConfigSchema, startCoordinator } from "@toolmesh/coordinator";
import { createLogger, loadConfig } from "@toolmesh/core";
import { TOOLS } from "@toolmesh/tools";
import { afterAll, beforeAll, expect, it } from "vitest";
import { task, workflow } from "../support/spec.js";
import { startStack, type TestStack } from "../support/stack.js";

const token = "a-list-tools-token-of-enough-length";
let stack: TestStack;
beforeAll(async () => {
  stack = await startStack({ TOOLMESH_GRPC_TOKEN: token });
});
afterAll(async () => stack?.stop());

it("ListTools lists every catalog tool with its JSON Schema as a plain object", async () => {
  const tools = await stack.client.listTools();
  expect(tools.map((t) => t.name).sort()).toEqual([...TOOLS.keys()].sort());
  const grep = tools.find((t) => t.name === "code.grep")!;
  expect(grep).toMatchObject({ pool: "codebase", shareable: true, destructive: false, openWorld: false });
  expect(grep.argsSchema).toMatchObject({ type: "object", required: ["pattern"], additionalProperties: false });
  expect((grep.argsSchema.properties as Record<string, unknown>).engine).toEqual({
    type: "string",
    enum: ["auto", "ripgrep", "builtin"],
    default: "auto",
  });
  // The output's JSON Schema travels too (ToolInfo.output_schema), matches and all.
  expect(grep.outputSchema).toMatchObject({ type: "object", required: expect.arrayContaining(["matches", "count", "truncated"]) });
  expect((grep.outputSchema!.properties as Record<string, { items?: unknown }>).matches?.items).toMatchObject({
    required: expect.arrayContaining(["path", "line"]),
  });
  for (const tool of tools) expect(tool.outputSchema, tool.name).toMatchObject({ type: "object" });
  expect(tools.find((t) => t.name === "synth.report")).toMatchObject({ pool: "synth" });
  expect(tools.find((t) => t.name === "bash.exec")).toMatchObject({ destructive: true, shareable: false });
  expect(tools.find((t) => t.name === "web.search")).toMatchObject({ openWorld: true });
});

it("ListTools needs the bearer token like every Coordinator call", async () => {
  const anonymous = new ToolmeshClient(`127.0.0.1:${stack.coordinator.port}`);
  try {
    await expect(anonymous.listTools()).rejects.toMatchObject({ code: status.UNAUTHENTICATED });
  } finally {
    anonymous.close();
  }
});

it("a second coordinator answers ListTools, and workflow calls too (routed to the owner of the workflow's partition)", async () => {
  const nc = await connect({ servers: stack.nats.url, name: "test-second" });
  const config = loadConfig("coordinator", coordinatorConfigSchema, {
    TOOLMESH_NATS_URL: stack.nats.url,
    TOOLMESH_GRPC_HOST: "127.0.0.1",
    TOOLMESH_GRPC_PORT: "0",
    TOOLMESH_GRPC_TOKEN: token,
  });
  const second = await startCoordinator(config, nc, createLogger("test", "silent"));
  const client = new ToolmeshClient(`127.0.0.1:${second.port}`, { token });
  try {
    expect((await client.listTools()).map((t) => t.name).sort()).toEqual([...TOOLS.keys()].sort());
    const id = await stack.client.submit(workflow("seen-from-the-second", [task("a", "test.echo", { value: 1 })]));
    expect((await client.get(id)).id).toBe(id);
    expect((await client.list()).workflows.map((w) => w.id)).toContain(id);
  } finally {
    client.close();
    await second.close();
    await nc.close();
  }
});
