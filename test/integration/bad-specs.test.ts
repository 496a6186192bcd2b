import { status, type Client } from "@grpc/grpc-js";
import { CoordinatorService, FanInMode } from "@toolmesh/proto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { task, workflow } from "../support/spec.js";
import { startStack, type TestStack } from "../support/stack.js";

let stack: TestStack;
beforeAll(async () => {
  stack = await startStack({ TOOLMESH_MAX_TASKS: "50", TOOLMESH_MAX_SPEC_BYTES: "4096" });
});
afterAll(async () => stack?.stop());

const invalid = (message: string | RegExp) => ({ code: status.INVALID_ARGUMENT, details: expect.stringMatching(message) });
const retry = (over: Record<string, number>) => ({
  retry: { maxAttempts: 1, initialBackoffMs: 0, backoffMultiplier: 0, maxBackoffMs: 0, ...over },
});

/**
 * Sends a request as bytes: `@@@` in its strings becomes ED A0 80, UTF-8's
 * encoding of a surrogate, which is not valid UTF-8 (a client library
 * would not send it).
 */
function sendRaw(path: string, bytes: Buffer): Promise<unknown> {
  const raw = stack.client.raw as unknown as Client;
  const patched = Buffer.from(bytes.toString("latin1").replaceAll("@@@", "\xED\xA0\x80"), "latin1");
  return new Promise((resolve) =>
    raw.makeUnaryRequest(
      path,
      (b: Buffer) => b,
      (b: Buffer) => b,
      patched,
      (err) => resolve(err),
    ),
  );
}

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
    [
      "too many tasks",
      workflow(
        "x",
        Array.from({ length: 51 }, (_, i) => task(`t${i}`, "test.echo")),
      ),
      /51 tasks; the limit is 50/,
    ],
    [
      "too many attempts",
      workflow("x", [
        task("a", "test.echo", {}, { retry: { maxAttempts: 500, initialBackoffMs: 0, backoffMultiplier: 0, maxBackoffMs: 0 } }),
      ]),
      /maxAttempts 500 exceeds/,
    ],
    ["task id with '>'", workflow("x", [task("a>b", "test.echo")]), /tasks\[0\] .*id must be 1-64 letters, digits, '_' or '-'; got "a>b"/],
    ["task id with '*'", workflow("x", [task("*", "test.echo")]), /id must be 1-64 letters.*got "\*"/],
    ["a 1000-character task id", workflow("x", [task("a".repeat(1000), "test.echo")]), /id must be 1-64 letters.*\(1000 characters\)/],
    ["dependsOn with '>'", workflow("x", [task("a", "test.echo", {}, { dependsOn: ["b.>"] })]), /dependsOn\[0\] must be 1-64 letters/],
    [
      "backoffMultiplier NaN",
      workflow("x", [task("a", "test.echo", {}, retry({ backoffMultiplier: Number.NaN }))]),
      /retry.backoffMultiplier must be a finite number within 1..10, got NaN/,
    ],
    [
      "backoffMultiplier Infinity",
      workflow("x", [task("a", "test.echo", {}, retry({ backoffMultiplier: Number.POSITIVE_INFINITY }))]),
      /retry.backoffMultiplier must be a finite number/,
    ],
    [
      "initialBackoffMs too large",
      workflow("x", [task("a", "test.echo", {}, retry({ initialBackoffMs: 4e9 }))]),
      /retry.initialBackoffMs 4000000000 exceeds the limit 600000/,
    ],
    [
      "quorum 1e9",
      workflow("x", [
        task("a", "test.echo"),
        task("b", "test.echo", {}, { dependsOn: ["a"], fanIn: { mode: FanInMode.FAN_IN_MODE_QUORUM, quorum: 1e9, deadlineMs: 0 } }),
      ]),
      /tasks\[1\] \(id "b"\): fanIn.quorum 1000000000 exceeds the 1 members/,
    ],
    [
      "maxItems 4e9",
      workflow("x", [
        task("a", "test.echo"),
        task(
          "b",
          "test.echo",
          { value: "{{item}}" },
          { dependsOn: ["a"], forEach: { from: "a", items: "list", maxItems: 4e9, match: "" } },
        ),
      ]),
      /forEach.maxItems 4000000000 exceeds the limit \d+ \(TOOLMESH_MAX_ITEMS\)/,
    ],
    ["priority 10", workflow("x", [task("a", "test.echo")], 0, { priority: 10 }), /priority must be within 0..9, got 10/],
    ["a 300-character name", workflow("n".repeat(300), [task("a", "test.echo")]), /^name has 300 characters; the limit is 256/],
    [
      "an infinite number in an argument",
      workflow("x", [task("a", "test.echo", { value: Number.POSITIVE_INFINITY })]),
      /args.value must be a finite number, got Infinity/,
    ],
    [
      "a parent id with '>'",
      workflow("x", [task("a", "test.echo")], 0, { parent: { workflowId: "wf.>", taskId: "agent", capability: "" } }),
      /parent.workflowId must be 1-64 letters.*got "wf.>"/,
    ],
    [
      "a parent task id with '*'",
      workflow("x", [task("a", "test.echo")], 0, { parent: { workflowId: "wf", taskId: "*", capability: "" } }),
      /parent.taskId must be 1-64 letters/,
    ],
    [
      "maxConcurrency 1e9",
      workflow("x", [task("a", "test.echo")], 0, { limits: { maxConcurrency: 1e9, maxCalls: 0 } }),
      /limits.maxConcurrency 1000000000 exceeds/,
    ],
  ])("%s", async (_name, spec, message) => {
    await expect(stack.client.submit(spec)).rejects.toMatchObject(invalid(message));
  });

  it("an oversize spec is RESOURCE_EXHAUSTED naming its size and the limit", async () => {
    await expect(stack.client.submit(workflow("x", [task("a", "test.echo", { value: "x".repeat(5000) })]))).rejects.toMatchObject({
      code: status.RESOURCE_EXHAUSTED,
      details: expect.stringMatching(/^spec is \d+ bytes; the limit is 4096 \(TOOLMESH_MAX_SPEC_BYTES\)/),
    });
  });

  it("ids with KV or subject characters, or too long, are INVALID_ARGUMENT at every RPC, naming the field", async () => {
    const long = "w".repeat(10_000);
    for (const bad of ["wf.>", "wf*", long]) {
      await expect(stack.client.get(bad)).rejects.toMatchObject(invalid(/^workflowId must be 1-64 letters, digits, '_' or '-'/));
      await expect(stack.client.cancel(bad)).rejects.toMatchObject(invalid(/^workflowId must be 1-64 letters/));
      await expect(stack.client.taskOutput(bad, "a")).rejects.toMatchObject(invalid(/^workflowId must be 1-64 letters/));
      const watch = async () => {
        for await (const _event of stack.client.watch(bad)) throw new Error("no events expected");
      };
      await expect(watch()).rejects.toMatchObject(invalid(/^workflowId must be 1-64 letters/));
    }
    await expect(stack.client.taskOutput("does-not-exist", "a>")).rejects.toMatchObject(invalid(/^taskId must be a task id/));
    await expect(stack.client.cancel("does-not-exist", "r".repeat(1000))).rejects.toMatchObject(
      invalid(/^reason has 1000 characters; the limit is 256/),
    );
    await expect(stack.client.runTemplate({ template: "t>" })).rejects.toMatchObject(
      invalid(/^template must be 1-64 letters, digits, '_', '.' or '-'; got "t>"/),
    );
    await expect(stack.client.runTemplate({ template: "x".repeat(10_000) })).rejects.toMatchObject(
      invalid(/^template must be .*\(10000 characters\)/),
    );
    await expect(stack.client.call({ tool: "t".repeat(10_000) })).rejects.toMatchObject(
      invalid(/^tool has 10000 characters; the limit is 128/),
    );
  });

  it("invalid UTF-8 in a name or an argument is INVALID_ARGUMENT naming the path", async () => {
    const spec = (name: string, value: unknown) =>
      CoordinatorService.submitWorkflow.requestSerialize({ spec: workflow(name, [task("a", "test.echo", { value })]) });
    expect(await sendRaw(CoordinatorService.submitWorkflow.path, spec("n@@@", 1))).toMatchObject(invalid(/^spec.name is not valid UTF-8/));
    expect(await sendRaw(CoordinatorService.submitWorkflow.path, spec("x", { list: ["ok", "v@@@"] }))).toMatchObject(
      invalid(/^spec.tasks\[0\].args.value.list\[1\] is not valid UTF-8/),
    );
    const call = CoordinatorService.callTool.requestSerialize({ tool: "test.echo", args: { "k@@@": 1 }, timeoutMs: 0, retry: undefined });
    expect(await sendRaw(CoordinatorService.callTool.path, call)).toMatchObject(invalid(/^args\["k.*"\] is not valid UTF-8/));
    const get = CoordinatorService.getWorkflow.requestSerialize({ workflowId: "wf@@@" });
    expect(await sendRaw(CoordinatorService.getWorkflow.path, get)).toMatchObject(invalid(/^workflowId is not valid UTF-8/));
  });

  it("an undecodable request is INVALID_ARGUMENT, not grpc-js's INTERNAL", async () => {
    const garbage = Buffer.from([0x0a, 0xff, 0xff, 0xff, 0xff, 0x0f, 0x01]);
    expect(await sendRaw(CoordinatorService.submitWorkflow.path, garbage)).toMatchObject(
      invalid(/^the request is not a valid SubmitWorkflowRequest message: /),
    );
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
