import { status } from "@grpc/grpc-js";
import { TaskState, WorkflowState } from "@toolmesh/proto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { task, workflow } from "../support/spec.js";
import { startStack, testHandlers, type TestStack } from "../support/stack.js";

// Issue 10: a client's regex must not hold the coordinator's event loop.
let stack: TestStack;
beforeAll(async () => {
  stack = await startStack();
  await stack.addWorker("test", testHandlers, { limit: 32 });
});
afterAll(async () => stack?.stop());

describe("client regexes run in linear time", () => {
  it("forEach.match ^(a+)+$ over 30-character items finishes at once, and another client's call meanwhile is not delayed", async () => {
    const items = Array.from({ length: 200 }, (_, i) => `${"a".repeat(29 - String(i).length)}${i}!`);
    expect(items.every((item) => item.length === 30)).toBe(true);
    const evil = stack.client.run(
      workflow("redos", [
        task("list", "test.echo", { value: [...items, "a".repeat(30)] }),
        task(
          "each",
          "test.echo",
          { value: "{{item}}" },
          { dependsOn: ["list"], forEach: { from: "list", items: "value", maxItems: 0, match: "^(a+)+$" } },
        ),
      ]),
    );
    let done = false;
    const ended = evil.finally(() => (done = true));
    // A second client calls test.echo over and over while the fan-out is matched.
    const latencies: number[] = [];
    while (!done || latencies.length === 0) {
      const started = performance.now();
      const echoed = await stack.client.call({ tool: "test.echo", args: { value: latencies.length } });
      latencies.push(performance.now() - started);
      expect(echoed.state).toBe(TaskState.TASK_STATE_SUCCEEDED);
    }
    const wf = await ended;
    expect(wf.state).toBe(WorkflowState.WORKFLOW_STATE_SUCCEEDED);
    const each = wf.tasks.find((t) => t.id === "each")!;
    expect(each.output).toMatchObject({ succeeded: 1 });
    // Backtracking took ~90 s per item; a call taking a second would mean the loop was held.
    expect(Math.max(...latencies)).toBeLessThan(1000);
  });

  it("a pattern RE2 cannot express is INVALID_ARGUMENT naming the field and why", async () => {
    const spec = workflow("lookahead", [
      task("list", "test.echo", { value: ["a"] }),
      task(
        "each",
        "test.echo",
        { value: "{{item}}" },
        { dependsOn: ["list"], forEach: { from: "list", items: "value", maxItems: 0, match: "a(?=b)" } },
      ),
    ]);
    await expect(stack.client.submit(spec)).rejects.toMatchObject({
      code: status.INVALID_ARGUMENT,
      details: expect.stringMatching(/tasks\[1\] \(id "each"\): forEach\.match: lookahead is not supported \(RE2 syntax\)/),
    });
    await expect(stack.client.call({ tool: "test.echo", args: { value: 1 } })).resolves.toMatchObject({
      state: TaskState.TASK_STATE_SUCCEEDED,
    });
  });
});
