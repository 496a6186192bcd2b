import { Queue, QueueEvents } from "bullmq";
import { randomUUID } from "node:crypto";
import type { BenchTarget } from "./measure.js";
import { CALL_TIMEOUT_MS, ECHO_VALUE, echoMismatch } from "./payload.js";
import { ProcessGroup, benchScript } from "./processes.js";

interface Waiter {
  resolve(value: unknown): void;
  reject(err: Error): void;
}

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
 */
export async function startBullmq(redisUrl: string, concurrency: number): Promise<BenchTarget> {
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

  const close = async (): Promise<void> => {
    await group.stopAll();
    await events.close().catch(() => undefined);
    // Leaves nothing of this run in Redis.
    await queue.obliterate({ force: true }).catch(() => undefined);
    await queue.close().catch(() => undefined);
  };

  try {
    await Promise.all([queue.waitUntilReady(), events.waitUntilReady()]);
    await group.start({
      name: "bullmq-worker",
      script: benchScript("bullmq-worker"),
      env: { TOOLMESH_BENCH_REDIS_URL: redisUrl, TOOLMESH_BENCH_QUEUE: queueName, TOOLMESH_BENCH_CONCURRENCY: String(concurrency) },
    });
    return {
      name: "BullMQ",
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
          await queue.add("echo", { value: ECHO_VALUE }, { jobId });
          const result = (await done) as { value?: unknown } | null;
          if (result?.value !== ECHO_VALUE) throw echoMismatch("BullMQ", result);
        } finally {
          clearTimeout(timer);
          waiters.delete(jobId);
        }
      },
      close,
    };
  } catch (err) {
    await close();
    throw err;
  }
}
