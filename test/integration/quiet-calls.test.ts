import { Metadata, status, type ServiceError } from "@grpc/grpc-js";
import { jetstreamManager } from "@nats-io/jetstream";
import { Streams, Subjects, decodeJson, encodeJson, type ResultMessage, type TaskMessage } from "@toolmesh/core";
import { waitFor } from "@toolmesh/testing";
import type { ChildProcess } from "node:child_process";
import { afterAll, beforeAll, expect, it } from "vitest";
import { spawnTestPool, startStack, type TestStack } from "../support/stack.js";

/**
 * Quiet calls (CallTool, CallTools): the task goes through the pool's work
 * queue, the result comes back as a core message on the dispatching
 * coordinator's reply subject. Real nats-server, the coordinator in this
 * process, test pool workers as real child processes (one is SIGKILLed).
 */
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

/** A test worker for a test run alone (the first test leaves its survivor running). */
function ensureWorker(): void {
  if (!children.some((c) => c.exitCode === null && c.signalCode === null)) startTestPoolProcess("steady");
}

async function stopChild(child: ChildProcess, signal: NodeJS.Signals): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once("exit", resolve));
  child.kill(signal);
  await exited;
}

async function counter(name: string): Promise<Record<string, number>> {
  const metric = await stack.coordinator.registry.getSingleMetric(name)!.get();
  return Object.fromEntries(metric.values.map((v) => [JSON.stringify(v.labels), v.value]));
}

async function testInstances(): Promise<number> {
  return (await stack.client.capacity()).pools.find((p) => p.pool === "test")?.instances ?? 0;
}

/** Every quiet result the coordinators are sent, by call, as a client with full rights sees them. */
function watchReplies(): { byCall: Map<string, ResultMessage[]>; stop: () => void } {
  const byCall = new Map<string, ResultMessage[]>();
  const sub = stack.nc.subscribe(Subjects.allQuietResults, {
    callback: (_err, msg) => {
      const result = decodeJson<ResultMessage>(msg.data);
      byCall.set(result.workflowId, [...(byCall.get(result.workflowId) ?? []), result]);
    },
  });
  return { byCall, stop: () => sub.unsubscribe() };
}

it("a quiet call whose worker is SIGKILLed mid-call is redelivered and answered exactly once", async () => {
  const victim = startTestPoolProcess("victim");
  await waitFor(async () => (await testInstances()) === 1 || undefined, 60_000, "victim worker");
  const replies = watchReplies();
  const okBefore = (await counter("toolmesh_grpc_requests_total"))[JSON.stringify({ method: "CallTools", code: "OK" })] ?? 0;
  const succeededBefore = (await counter("toolmesh_calls_finished_total"))[JSON.stringify({ state: "succeeded" })] ?? 0;

  const session = stack.client.session();
  const calls = Array.from({ length: 8 }, (_, i) => session.call({ tool: "test.sleep", args: { ms: 3000, value: i }, timeoutMs: 60_000 }));
  await waitFor(
    async () => ((await stack.client.capacity()).pools.find((p) => p.pool === "test")?.inFlight ?? 0) >= 8 || undefined,
    30_000,
    "the calls running on the victim",
  );
  await stopChild(victim, "SIGKILL");
  startTestPoolProcess("survivor");

  const answers = await Promise.all(calls);
  expect(answers.map((a) => a.output?.value)).toEqual([...Array(8).keys()]);
  expect(new Set(answers.map((a) => a.worker))).toEqual(new Set(["survivor"]));
  expect(answers.every((a) => a.attempt === 1)).toBe(true);
  await session.close();
  // One result per call reached the reply subject (the victim sent none), and one answer per call left the coordinator.
  replies.stop();
  expect([...replies.byCall.values()].map((r) => r.length)).toEqual(Array(8).fill(1));
  const okAfter = (await counter("toolmesh_grpc_requests_total"))[JSON.stringify({ method: "CallTools", code: "OK" })] ?? 0;
  expect(okAfter - okBefore).toBe(8);
  const succeededAfter = (await counter("toolmesh_calls_finished_total"))[JSON.stringify({ state: "succeeded" })] ?? 0;
  expect(succeededAfter - succeededBefore).toBe(8);
  // The coordinator acked each task when its result came: the work queue is empty, nothing comes back.
  const jsm = await jetstreamManager(stack.nc);
  await waitFor(
    async () => (await jsm.streams.info(Streams.tasks("test"))).state.messages === 0 || undefined,
    15_000,
    "an empty work queue",
  );
}, 120_000);

it("a result for an attempt the coordinator no longer waits for is ignored", async () => {
  ensureWorker();
  await waitFor(async () => (await testInstances()) >= 1 || undefined, 60_000, "a test worker");
  const ignoredBefore = (await counter("toolmesh_results_ignored_total"))["{}"] ?? 0;
  // Attempt 1 times out in its worker, whose DEADLINE_EXCEEDED result starts attempt 2.
  const sent: TaskMessage[] = [];
  let forged = false;
  const sub = stack.nc.subscribe(Subjects.task("test"), {
    callback: (_err, msg) => {
      const task = decodeJson<TaskMessage>(msg.data);
      if (task.tool !== "test.sleep" || task.args.value !== "stale") return;
      sent.push(task);
      const first = sent[0]!;
      if (task.attempt !== 2 || forged) return;
      forged = true;
      // A success for attempt 1 with attempt 1's own token: stale once attempt 2 is out.
      const result: ResultMessage = {
        workflowId: first.workflowId,
        taskId: first.taskId,
        attempt: 1,
        worker: "late",
        startedAtMs: Date.now(),
        finishedAtMs: Date.now(),
        output: { sleptMs: 0, value: "stale" },
        pool: "test",
        attemptToken: first.attemptToken!,
      };
      stack.nc.publish(first.replyTo!, encodeJson(result));
    },
  });
  const call = stack.client.call({
    tool: "test.sleep",
    args: { ms: 5000, value: "stale" },
    timeoutMs: 300,
    retry: { maxAttempts: 2, initialBackoffMs: 1, maxBackoffMs: 1, backoffMultiplier: 1 },
  });
  await expect(call).rejects.toMatchObject({ code: status.DEADLINE_EXCEEDED });
  sub.unsubscribe();
  expect(sent.map((t) => t.attempt)).toEqual([1, 2]);
  expect(forged).toBe(true);
  const ignoredAfter = (await counter("toolmesh_results_ignored_total"))["{}"] ?? 0;
  expect(ignoredAfter - ignoredBefore).toBeGreaterThanOrEqual(1);
}, 60_000);

it("a client that cancels its CallTool has the worker's attempt aborted", async () => {
  ensureWorker();
  await waitFor(async () => (await testInstances()) >= 1 || undefined, 60_000, "a test worker");
  const cancels: string[] = [];
  const sub = stack.nc.subscribe(Subjects.cancel, {
    callback: (_err, msg) => cancels.push(decodeJson<{ workflowId: string }>(msg.data).workflowId),
  });
  const started = new Promise<TaskMessage>((resolve) => {
    const tasks = stack.nc.subscribe(Subjects.task("test"), {
      callback: (_err, msg) => {
        const task = decodeJson<TaskMessage>(msg.data);
        if (task.args.value === "cancel-me") {
          tasks.unsubscribe();
          resolve(task);
        }
      },
    });
  });
  const outcome = new Promise<ServiceError | undefined>((resolve) => {
    const call = stack.client.raw.callTool(
      { tool: "test.sleep", args: { ms: 60_000, value: "cancel-me" }, timeoutMs: 120_000, retry: undefined },
      new Metadata(),
      (err) => resolve(err ?? undefined),
    );
    void started.then(() => call.cancel());
  });
  expect(await outcome).toMatchObject({ code: status.CANCELLED });
  const task = await started;
  await waitFor(async () => cancels.includes(task.workflowId) || undefined, 15_000, "the cancel on the command bus");
  sub.unsubscribe();
  // The worker's slot is free again: its handler was aborted, not left to sleep a minute.
  await waitFor(
    async () => ((await stack.client.capacity()).pools.find((p) => p.pool === "test")?.inFlight ?? 1) === 0 || undefined,
    15_000,
    "the aborted attempt to leave its worker",
  );
  expect(stack.coordinator.engine.quiet.size).toBe(0);
}, 60_000);
