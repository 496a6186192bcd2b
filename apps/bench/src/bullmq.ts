import { Queue, QueueEvents } from "bullmq";
import { randomUUID } from "node:crypto";
import { CALL_TIMEOUT_MS, ECHO_VALUE, echoMismatch } from "./payload.js";
import { ProcessGroup, benchScript } from "./processes.js";
import type { BenchSystem } from "./system.js";

interface Waiter {
  resolve(value: unknown): void;
  reject(err: Error): void;
}

interface PendingJob {
  jobId: string;
  added: { resolve(): void; reject(err: Error): void };
}

/** One `add` per job, or the jobs of a moment gathered into `addBulk` batches of at most `batch`. */
export type BullmqMode = { kind: "add" } | { kind: "bulk"; batch: number };

/**
 * BullMQ on Redis: a Worker in a child process, this process adds each job
 * and waits for its completion event.
 *
 * Completion comes from one QueueEvents stream reader, routed by job id: the
 * mechanism job.waitUntilFinished(queueEvents) uses, without its per-job
 * isFinished check. That check fails ("Missing key for job") when
 * removeOnComplete has already deleted a finished job, and keeping every job
 * instead would make Redis grow through the run. Job ids are chosen before
 * add() so the waiter exists before the job can finish, and the reader starts
 * at the beginning of this run's (fresh) stream, so no event is missed.
 *
 * In bulk mode the calls of one turn of the event loop go out as one
 * addBulk (one Redis round trip for many jobs): the strongest way to feed
 * BullMQ, so the strongest baseline.
 */
export async function startBullmq(redisUrl: string, concurrency: number, mode: BullmqMode): Promise<BenchSystem> {
  const queueName = `toolmesh-bench-${randomUUID().slice(0, 8)}`;
  const connection = { url: redisUrl };
  const group = new ProcessGroup();
  const queue = new Queue(queueName, { connection, defaultJobOptions: { removeOnComplete: true, removeOnFail: true } });
  const events = new QueueEvents(queueName, { connection, lastEventId: "0-0" });
  const waiters = new Map<string, Waiter>();
  const settle = (jobId: string, outcome: (w: Waiter) => void): void => {
    const waiter = waiters.get(jobId);
    if (!waiter) return;
    waiters.delete(jobId);
    outcome(waiter);
  };
  events.on("completed", ({ jobId, returnvalue }) => settle(jobId, (w) => w.resolve(returnvalue)));
  events.on("failed", ({ jobId, failedReason }) =>
    settle(jobId, (w) => w.reject(new Error(`BullMQ job ${jobId} failed: ${failedReason}`))),
  );

  let pending: PendingJob[] = [];
  let flushScheduled = false;
  const batches = { count: 0, jobs: 0 };
  const flush = (): void => {
    flushScheduled = false;
    const batch = pending;
    pending = [];
    if (batch.length === 0) return;
    batches.count++;
    batches.jobs += batch.length;
    queue.addBulk(batch.map((j) => ({ name: "echo", data: { value: ECHO_VALUE }, opts: { jobId: j.jobId } }))).then(
      () => batch.forEach((j) => j.added.resolve()),
      (err: Error) => batch.forEach((j) => j.added.reject(err)),
    );
  };
  const addOne = (jobId: string): Promise<unknown> => {
    if (mode.kind === "add") return queue.add("echo", { value: ECHO_VALUE }, { jobId });
    return new Promise<void>((resolve, reject) => {
      pending.push({ jobId, added: { resolve, reject } });
      if (pending.length >= mode.batch) flush();
      else if (!flushScheduled) {
        flushScheduled = true;
        setImmediate(flush);
      }
    });
  };

  const close = async (): Promise<void> => {
    await group.stopAll();
    await events.close().catch(() => undefined);
    // Leaves nothing of this run in Redis.
    await queue.obliterate({ force: true }).catch(() => undefined);
    await queue.close().catch(() => undefined);
  };

  try {
    await Promise.all([queue.waitUntilReady(), events.waitUntilReady()]);
    const [worker] = await group.start({
      name: "bullmq-worker",
      script: benchScript("bullmq-worker"),
      env: { TOOLMESH_BENCH_REDIS_URL: redisUrl, TOOLMESH_BENCH_QUEUE: queueName, TOOLMESH_BENCH_CONCURRENCY: String(concurrency) },
    });
    return {
      key: mode.kind === "add" ? "bullmq" : "bullmq-bulk",
      name: mode.kind === "add" ? "BullMQ, one add per job" : `BullMQ, addBulk (batches ≤ ${mode.batch})`,
      processes: [{ label: "bullmq-worker", pid: worker!.child.pid }],
      uses: ["redis"],
      async call(index) {
        const jobId = `j${index}`;
        let timer: NodeJS.Timeout | undefined;
        const done = new Promise<unknown>((resolve, reject) => {
          waiters.set(jobId, { resolve, reject });
          timer = setTimeout(
            () => settle(jobId, (w) => w.reject(new Error(`BullMQ job ${jobId}: no completion in ${CALL_TIMEOUT_MS} ms`))),
            CALL_TIMEOUT_MS,
          );
        });
        try {
          await addOne(jobId);
          const result = (await done) as { value?: unknown } | null;
          if (result?.value !== ECHO_VALUE) throw echoMismatch("BullMQ", result);
        } finally {
          clearTimeout(timer);
          waiters.delete(jobId);
        }
      },
      close,
      describe: () =>
        mode.kind === "bulk" && batches.count > 0
          ? `BullMQ addBulk: ${(batches.jobs / batches.count).toFixed(1)} jobs per addBulk on average (${batches.count} batches).`
          : undefined,
    };
  } catch (err) {
    await close();
    throw err;
  }
}
