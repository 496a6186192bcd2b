import { status } from "@grpc/grpc-js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { task, workflow } from "../support/spec.js";
import { startStack, type TestStack } from "../support/stack.js";

let stack: TestStack;
beforeAll(async () => {
  stack = await startStack({ TOOLMESH_MAX_TASKS: "50", TOOLMESH_MAX_SPEC_BYTES: "4096" });
});
afterAll(async () => stack?.stop());

const invalid = (message: string | RegExp) => ({ code: status.INVALID_ARGUMENT, details: expect.stringMatching(message) });

describe("bad workflow specs get INVALID_ARGUMENT saying what to fix", () => {
  it.each([
    ["no tasks", workflow("empty", []), /tasks is empty/],
    ["unknown tool", workflow("x", [task("a", "code.frobnicate")]), /tasks\[0\] \(id "a"\): unknown tool "code.frobnicate"/],
    ["bad args", workflow("x", [task("a", "test.sleep", { ms: "soon" })]), /args\.ms: Expected number, received string/],
    ["unexpected arg", workflow("x", [task("a", "test.echo", { valeu: 1 })]), /Unrecognized key\(s\) in object: 'valeu'/],
    ["bad task id", workflow("x", [task("a.b", "test.echo")]), /id must be 1-64 letters/],
    ["duplicate id", workflow("x", [task("a", "test.echo"), task("a", "test.echo")]), /duplicate task id "a"/],
    ["unknown dependency", workflow("x", [task("a", "test.echo", {}, { dependsOn: ["ghost"] })]), /depends on unknown task "ghost"/],
    ["self dependency", workflow("x", [task("a", "test.echo", {}, { dependsOn: ["a"] })]), /depends on itself/],
    [
      "cycle",
      workflow("x", [
        task("a", "test.echo", {}, { dependsOn: ["c"] }),
        task("b", "test.echo", {}, { dependsOn: ["a"] }),
        task("c", "test.echo", {}, { dependsOn: ["b"] }),
        task("d", "test.echo"),
      ]),
      /cycle: (a → c → b → a|c → b → a → c|b → a → c → b)/,
    ],
    ["too many tasks", workflow("x", Array.from({ length: 51 }, (_, i) => task(`t${i}`, "test.echo"))), /51 tasks; the limit is 50/],
    ["oversize spec", workflow("x", [task("a", "test.echo", { value: "x".repeat(5000) })]), /bytes; the limit is 4096/],
    ["too many attempts", workflow("x", [task("a", "test.echo", {}, { retry: { maxAttempts: 500, initialBackoffMs: 0, backoffMultiplier: 0, maxBackoffMs: 0 } })]), /maxAttempts 500 exceeds/],
  ])("%s", async (_name, spec, message) => {
    await expect(stack.client.submit(spec)).rejects.toMatchObject(invalid(message));
  });

  it("CallTool with an unknown tool or bad args is INVALID_ARGUMENT too", async () => {
    await expect(stack.client.call({ tool: "nope.tool" })).rejects.toMatchObject(invalid(/unknown tool "nope.tool"/));
    await expect(stack.client.call({ tool: "code.grep", args: {} })).rejects.toMatchObject(invalid(/args\.pattern: Required/));
  });

  it("an unknown workflow id is NOT_FOUND, for get, cancel and watch", async () => {
    await expect(stack.client.get("does-not-exist")).rejects.toMatchObject({ code: status.NOT_FOUND });
    await expect(stack.client.cancel("does-not-exist")).rejects.toMatchObject({ code: status.NOT_FOUND });
    const watch = async () => {
      for await (const _event of stack.client.watch("does-not-exist")) throw new Error("no events expected");
    };
    await expect(watch()).rejects.toMatchObject({ code: status.NOT_FOUND, details: expect.stringMatching(/no workflow with id/) });
  });

  it("nothing was dispatched for rejected specs", async () => {
    expect((await stack.client.list()).workflows).toHaveLength(0);
  });
});
