// The BullMQ baseline's worker: a child process whose processor returns the
// job's data, with the same concurrency as the toolmesh worker.
import { createLogger, onShutdown } from "@toolmesh/core";
import { Worker } from "bullmq";
import { logReady } from "./ready.js";

const url = process.env.TOOLMESH_BENCH_REDIS_URL;
const queueName = process.env.TOOLMESH_BENCH_QUEUE;
const concurrency = Number(process.env.TOOLMESH_BENCH_CONCURRENCY ?? "1");
if (!url || !queueName) {
  process.stderr.write("bullmq-worker: set TOOLMESH_BENCH_REDIS_URL and TOOLMESH_BENCH_QUEUE\n");
  process.exit(2);
}

const worker = new Worker(queueName, async (job) => job.data as unknown, { connection: { url }, concurrency });
worker.on("error", (err) => process.stderr.write(`${JSON.stringify({ level: 50, msg: "worker error", error: err.message })}\n`));
await worker.waitUntilReady();
logReady({ queue: queueName, concurrency });

onShutdown(createLogger("bench-bullmq-worker", "warn"), async () => {
  await worker.close().catch(() => undefined);
});
