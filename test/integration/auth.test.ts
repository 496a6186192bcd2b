import { status } from "@grpc/grpc-js";
import { ToolmeshClient } from "@toolmesh/client";
import { afterAll, beforeAll, expect, it } from "vitest";
import { startStack, testHandlers, type TestStack } from "../support/stack.js";

const token = "a-test-token-of-enough-length";
let stack: TestStack;
beforeAll(async () => {
  stack = await startStack({ TOOLMESH_GRPC_TOKEN: token });
  await stack.addWorker("test", testHandlers);
});
afterAll(async () => stack?.stop());

it("with TOOLMESH_GRPC_TOKEN set, calls without the bearer token are UNAUTHENTICATED", async () => {
  const anonymous = new ToolmeshClient(`127.0.0.1:${stack.coordinator.port}`);
  const wrong = new ToolmeshClient(`127.0.0.1:${stack.coordinator.port}`, { token: "x".repeat(token.length) });
  try {
    await expect(anonymous.call({ tool: "test.echo" })).rejects.toMatchObject({ code: status.UNAUTHENTICATED });
    await expect(wrong.list()).rejects.toMatchObject({ code: status.UNAUTHENTICATED });
    await expect(anonymous.session().call({ tool: "test.echo" })).rejects.toMatchObject({ code: status.UNAUTHENTICATED });
    await expect(stack.client.call({ tool: "test.echo", args: { value: 7 } })).resolves.toMatchObject({ output: { value: 7 } });
  } finally {
    anonymous.close();
    wrong.close();
  }
});
