import { connect, type NatsConnection } from "@nats-io/transport-node";
import { attemptKey, createLogger, ensureAttemptsBucket, type ResultMessage, type TaskMessage } from "@toolmesh/core";
import { AttemptLedger, hasSideEffects } from "@toolmesh/runtime";
import { startTestNats, waitFor, type NatsServerHandle } from "@toolmesh/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

/** The attempt ledger against a real nats-server: two ledgers are two worker instances of one pool. */
let nats: NatsServerHandle;
let nc: NatsConnection;
const log = createLogger("test", "silent");
let seq = 0;

beforeAll(async () => {
  nats = await startTestNats();
  nc = await connect({ servers: nats.url });
  await ensureAttemptsBucket(nc);
});
afterAll(async () => {
  await nc?.close();
  await nats?.stop();
});

function attempt(tool: string): TaskMessage {
  seq += 1;
  return { workflowId: `wf${seq}`, taskId: "t", tool, args: {}, attempt: 1, deadlineMs: Date.now() + 60_000, attemptToken: "token" };
}

function result(task: TaskMessage, worker: string, value: string): ResultMessage {
  return {
    workflowId: task.workflowId,
    taskId: task.taskId,
    attempt: task.attempt,
    worker,
    startedAtMs: 1,
    finishedAtMs: 2,
    output: { value },
    pool: "test",
  };
}

const ledger = (instance: string, graceMs = 60_000): AttemptLedger => new AttemptLedger(nc, "test", instance, log, graceMs);

describe("attempt ledger", () => {
  it("a finished attempt is answered with its stored result on any instance, never run again", async () => {
    const a = ledger("a");
    const task = attempt("bash.exec");
    const claim = await a.claim(task);
    expect(claim.kind).toBe("run");
    if (claim.kind !== "run") return;
    await a.complete(task, claim.revision, result(task, "a", "done"));
    expect(await a.claim(task)).toEqual({ kind: "replay", result: result(task, "a", "done") });
    expect(await ledger("b").claim(task)).toEqual({ kind: "replay", result: result(task, "a", "done") });
  });

  it("a copy delivered to the instance that is running the attempt is left alone", async () => {
    const a = ledger("a");
    const task = attempt("bash.exec");
    expect((await a.claim(task)).kind).toBe("run");
    expect(await a.claim(task)).toEqual({ kind: "busy" });
  });

  it("a side-effecting attempt started elsewhere: held while its holder may be alive, then an outcome unknown; the ledger keeps one result", async () => {
    const a = ledger("a");
    const b = ledger("b", 300);
    const task = attempt("bash.exec");
    const claimA = await a.claim(task);
    if (claimA.kind !== "run") throw new Error(claimA.kind);
    const held = await b.claim(task);
    expect(held).toMatchObject({ kind: "held", instance: "a" });
    const unknown = await waitFor(
      async () => {
        const claim = await b.claim(task);
        return claim.kind === "unknown" ? claim : undefined;
      },
      10_000,
      "the holder's grace to pass",
    );
    expect(unknown.instance).toBe("a");
    const reported = await b.complete(task, unknown.revision, result(task, "b", "outcome unknown"));
    expect(reported.output).toEqual({ value: "outcome unknown" });
    // The holder finishing late gets the recorded result back, so both publish the same one.
    expect((await a.complete(task, claimA.revision, result(task, "a", "late"))).output).toEqual({ value: "outcome unknown" });
  });

  it("the last delivery of a side-effecting attempt started elsewhere is an outcome unknown at once", async () => {
    const task = attempt("agent.run");
    await ledger("a").claim(task);
    expect(await ledger("b").claim(task, true)).toMatchObject({ kind: "unknown", instance: "a" });
  });

  it("a read-only attempt is remembered in its process only, while it runs: another instance runs it again, and so does this one once it finished", async () => {
    const a = ledger("a");
    const task = attempt("test.echo");
    const claim = await a.claim(task);
    expect(claim).toEqual({ kind: "run", revision: 0 });
    expect(await a.claim(task)).toEqual({ kind: "busy" });
    expect((await ledger("b").claim(task)).kind).toBe("run");
    expect(await a.complete(task, 0, result(task, "a", "echo"))).toEqual(result(task, "a", "echo"));
    expect(await a.claim(task)).toEqual({ kind: "run", revision: 0 });
  });

  it("side effects follow the catalog: destructive tools and tools it does not know", () => {
    expect([
      hasSideEffects("bash.exec"),
      hasSideEffects("agent.run"),
      hasSideEffects("test.echo"),
      hasSideEffects("code.read"),
      hasSideEffects("nope.nope"),
    ]).toEqual([true, true, false, false, true]);
  });

  it("keys are <pool>.<workflow>.<task>.<attempt>; a fan-out item's brackets become '='", () => {
    expect(attemptKey("bash", "abc", "grep[12]", 3)).toBe("bash.abc.grep=12.3");
    expect(attemptKey("mcp-fs", "abc", "t_1-x", 1)).toBe("mcp-fs.abc.t_1-x.1");
  });
});
