import { WorkflowState } from "@toolmesh/proto";
import { waitFor } from "@toolmesh/testing";
import type { ChildProcess } from "node:child_process";
import { afterAll, beforeAll, expect, it } from "vitest";
import { task, workflow } from "../support/spec.js";
import { spawnTestPool, startStack, type TestStack } from "../support/stack.js";

let stack: TestStack;
const children: ChildProcess[] = [];
beforeAll(async () => {
  stack = await startStack();
});
afterAll(async () => {
  for (const child of children) child.kill("SIGKILL");
  await stack?.stop();
});

function startTestPoolProcess(id: string): ChildProcess {
  const child = spawnTestPool(stack.nats.url, id);
  children.push(child);
  return child;
}

it("a worker killed with SIGKILL mid-task: its tasks are redelivered to another worker, none lost or finished twice", async () => {
  const victim = startTestPoolProcess("victim");
  await waitFor(
    async () => (await stack.client.capacity()).pools.find((p) => p.pool === "test" && p.instances === 1),
    60_000,
    "victim worker",
  );

  // Twelve 3 s tasks: the victim (limit 8) takes eight of them at once, and is killed long before it finishes one.
  const tasks = Array.from({ length: 12 }, (_, i) => task(`t${i}`, "test.sleep", { ms: 3000, value: i }, { timeoutMs: 60_000 }));
  const id = await stack.client.submit(workflow("crash", tasks));
  await waitFor(
    async () => (await stack.client.get(id)).tasks.filter((t) => t.worker === "victim" || t.startedAtMs > 0).length >= 8,
    30_000,
    "tasks running on the victim",
  );
  victim.kill("SIGKILL");
  await new Promise((resolve) => victim.once("exit", resolve));
  startTestPoolProcess("survivor");

  const done = await waitFor(
    async () => {
      const wf = await stack.client.get(id);
      return wf.state === WorkflowState.WORKFLOW_STATE_RUNNING ? undefined : wf;
    },
    90_000,
    "workflow to finish",
  );
  expect(done.state).toBe(WorkflowState.WORKFLOW_STATE_SUCCEEDED);
  expect(done.tasks.map((t) => t.output?.value).sort((a, b) => Number(a) - Number(b))).toEqual([...Array(12).keys()]);
  // Killed mid-task, so the victim finished none; every result came from the survivor, once per task.
  expect(new Set(done.tasks.map((t) => t.worker))).toEqual(new Set(["survivor"]));
  expect(done.tasks.every((t) => t.attempt === 1)).toBe(true);
}, 180_000);
