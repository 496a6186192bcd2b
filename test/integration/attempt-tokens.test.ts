import { jetstream } from "@nats-io/jetstream";
import type { Subscription } from "@nats-io/transport-node";
import { WorkflowState } from "@toolmesh/proto";
import { Subjects, decodeJson, encodeJson, type ResultMessage, type TaskMessage } from "@toolmesh/core";
import { waitFor } from "@toolmesh/testing";
import { afterAll, beforeAll, expect, it } from "vitest";
import { task, workflow } from "../support/spec.js";
import { startStack, testHandlers, type TestStack } from "../support/stack.js";

/**
 * A result counts only from the holder of the attempt: a process that can
 * publish on tm.data.result.<wf> but never read the pool's queue cannot
 * finish another's task. Real nats-server, the coordinator and a test pool worker.
 */
let stack: TestStack;
beforeAll(async () => {
  stack = await startStack();
  await stack.addWorker("test", testHandlers, { limit: 4 });
});
afterAll(async () => {
  await stack?.stop();
});

/** The next task message the test pool is sent (a core subscriber sees what JetStream stores). */
function nextTask(): { message: Promise<TaskMessage>; sub: Subscription } {
  const sub = stack.nc.subscribe(Subjects.task("test"), { max: 1 });
  const message = (async () => {
    for await (const msg of sub) return decodeJson<TaskMessage>(msg.data);
    throw new Error("no task message");
  })();
  return { message, sub };
}

async function rejected(): Promise<Record<string, number>> {
  const metric = await stack.coordinator.registry.getSingleMetric("toolmesh_results_rejected_total")!.get();
  return Object.fromEntries(metric.values.map((v) => [String(v.labels.reason), v.value]));
}

/** What a process with publish rights on the results subject but no view of the queue would send. */
async function forge(sent: TaskMessage, changes: Partial<ResultMessage>, msgID: string): Promise<void> {
  const forged: ResultMessage = {
    workflowId: sent.workflowId,
    taskId: sent.taskId,
    attempt: sent.attempt,
    worker: "forger",
    startedAtMs: Date.now(),
    finishedAtMs: Date.now(),
    output: { value: "forged" },
    pool: "test",
    ...changes,
  };
  await jetstream(stack.nc).publish(Subjects.result(sent.workflowId), encodeJson(forged), { msgID });
}

it("forged results (no token, a wrong token, another pool, an attempt never sent) are dropped and counted; the worker's real result wins", async () => {
  const before = await rejected();
  const { message } = nextTask();
  const id = await stack.client.submit(workflow("forged", [task("t", "test.sleep", { ms: 1500, value: "real" }, { timeoutMs: 30_000 })]));
  const sent = await message;
  expect(sent.attemptToken).toMatch(/^[A-Za-z0-9_-]{43}$/);

  const plain = `${sent.workflowId}.${sent.taskId}.${sent.attempt}`;
  // The message id the worker used before tokens: taking it first no longer gets the real result de-duplicated away.
  await forge(sent, {}, plain);
  await forge(sent, { attemptToken: "A".repeat(43) }, `${plain}.bad`);
  await forge(sent, { pool: "bash", attemptToken: sent.attemptToken! }, `${plain}.pool`);
  await forge(sent, { attempt: sent.attempt + 1, attemptToken: sent.attemptToken! }, `${plain}.next`);

  const done = await waitFor(
    async () => {
      const wf = await stack.client.get(id);
      return wf.state === WorkflowState.WORKFLOW_STATE_RUNNING ? undefined : wf;
    },
    30_000,
    "workflow to finish",
  );
  expect(done.state).toBe(WorkflowState.WORKFLOW_STATE_SUCCEEDED);
  expect(done.tasks[0]!.output?.value).toBe("real");
  expect(done.tasks[0]!.worker).not.toBe("forger");
  const after = await rejected();
  const grew = (reason: string): number => (after[reason] ?? 0) - (before[reason] ?? 0);
  expect({ missing: grew("missing_token"), bad: grew("bad_token"), pool: grew("wrong_pool"), unknown: grew("unknown_attempt") }).toEqual({
    missing: 1,
    bad: 1,
    pool: 1,
    unknown: 1,
  });
}, 60_000);

it("a quiet CallTool is held to the same rule on its reply subject: a forged result does not answer the call", async () => {
  const before = await rejected();
  const { message } = nextTask();
  const call = stack.client.call({ tool: "test.sleep", args: { ms: 1000, value: "real" }, timeoutMs: 30_000 });
  const sent = await message;
  // The result goes to the dispatching coordinator as a core message, not through TM_RESULTS.
  expect(sent.replyTo).toMatch(/^tm\.data\.reply\.[A-Za-z0-9_-]+$/);
  const forged = (changes: Partial<ResultMessage>): Uint8Array =>
    encodeJson({
      workflowId: sent.workflowId,
      taskId: sent.taskId,
      attempt: sent.attempt,
      worker: "forger",
      startedAtMs: Date.now(),
      finishedAtMs: Date.now(),
      output: { value: "forged" },
      pool: "test",
      ...changes,
    } satisfies ResultMessage);
  stack.nc.publish(sent.replyTo!, forged({ attemptToken: "wrong" }));
  stack.nc.publish(sent.replyTo!, forged({}));
  stack.nc.publish(sent.replyTo!, forged({ attempt: sent.attempt + 1, attemptToken: sent.attemptToken! }));
  const status = await call;
  expect(status.output?.value).toBe("real");
  const after = await rejected();
  const grew = (reason: string): number => (after[reason] ?? 0) - (before[reason] ?? 0);
  expect({ bad: grew("bad_token"), missing: grew("missing_token"), unknown: grew("unknown_attempt") }).toEqual({
    bad: 1,
    missing: 1,
    unknown: 1,
  });
}, 60_000);
