import { status } from "@grpc/grpc-js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { task, workflow } from "../support/spec.js";
import { startStack, type TestStack } from "../support/stack.js";

/**
 * With the default spec limit (4 MiB) an argument can be within it and still
 * too large for one NATS message (max_payload, 1 MiB by default): refused with
 * RESOURCE_EXHAUSTED naming both sizes before anything is stored or published.
 */
let stack: TestStack;
beforeAll(async () => {
  stack = await startStack();
});
afterAll(async () => stack?.stop());

const tooLarge = {
  code: status.RESOURCE_EXHAUSTED,
  details: expect.stringMatching(/the task's arguments take \d+ bytes; a task's arguments can be at most \d+ bytes \(.*max_payload\)/),
};

describe("arguments too large for the bus", () => {
  it("a 100,000-character id is INVALID_ARGUMENT at once, not a lookup that times out", async () => {
    const long = "w".repeat(100_000);
    await expect(stack.client.get(long)).rejects.toMatchObject({
      code: status.INVALID_ARGUMENT,
      details: expect.stringMatching(/^workflowId must be 1-64 letters.*\(100000 characters\)/),
    });
    await expect(stack.client.cancel(long)).rejects.toMatchObject({ code: status.INVALID_ARGUMENT });
    await expect(stack.client.taskOutput("a", long)).rejects.toMatchObject({
      code: status.INVALID_ARGUMENT,
      details: expect.stringMatching(/^taskId must be/),
    });
    await expect(
      stack.client.submit(workflow("x", [task("a", "test.echo")], 0, { parent: { workflowId: long, taskId: "t", capability: "" } })),
    ).rejects.toMatchObject({
      code: status.INVALID_ARGUMENT,
      details: expect.stringMatching(/^parent.workflowId must be/),
    });
  });

  it("a 1 MB workflow name is INVALID_ARGUMENT naming the limit", async () => {
    await expect(stack.client.submit(workflow("n".repeat(1_000_000), [task("a", "test.echo")]))).rejects.toMatchObject({
      code: status.INVALID_ARGUMENT,
      details: expect.stringMatching(/^name has 1000000 characters; the limit is 256/),
    });
  });

  it("a 3.9 MB argument in a workflow is RESOURCE_EXHAUSTED naming the task, the size and the limit", async () => {
    const big = "x".repeat(3_900_000);
    await expect(stack.client.submit(workflow("big", [task("a", "test.echo", { value: big })]))).rejects.toMatchObject({
      ...tooLarge,
      details: expect.stringMatching(/^tasks\[0\] \(id "a"\): the task's arguments take 39000\d\d bytes/),
    });
    await expect(stack.client.call({ tool: "test.echo", args: { value: big } })).rejects.toMatchObject(tooLarge);
    expect((await stack.client.list()).workflows).toHaveLength(0);
  });
});
