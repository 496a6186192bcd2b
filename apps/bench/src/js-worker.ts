// The JetStream baselines' worker: a child process pulling tasks from its
// work-queue stream's consumer, with the toolmesh worker's concurrency as
// max_ack_pending. Mode "reply" answers each as a plain core NATS publish
// to the subject in its Bench-Reply header (one persisted hop); mode
// "persist" publishes the result into the results stream and waits for the
// publish ack before acking the task (both hops persisted, as toolmesh does).
import { jetstream } from "@nats-io/jetstream";
import { connect, headers } from "@nats-io/transport-node";
import { createLogger, onShutdown } from "@toolmesh/core";
import { logReady } from "./ready.js";

const url = process.env.TOOLMESH_NATS_URL;
const stream = process.env.TOOLMESH_BENCH_STREAM;
const mode = process.env.TOOLMESH_BENCH_MODE;
const resultSubject = process.env.TOOLMESH_BENCH_RESULT_SUBJECT;
const concurrency = Number(process.env.TOOLMESH_BENCH_CONCURRENCY ?? "64");
if (!url || !stream || (mode !== "reply" && mode !== "persist") || (mode === "persist" && !resultSubject)) {
  process.stderr.write(
    "js-worker: set TOOLMESH_NATS_URL, TOOLMESH_BENCH_STREAM, TOOLMESH_BENCH_MODE (reply|persist) [and TOOLMESH_BENCH_RESULT_SUBJECT]\n",
  );
  process.exit(2);
}

const nc = await connect({ servers: url, name: `bench-js-worker-${mode}` });
const js = jetstream(nc);
const consumer = await js.consumers.get(stream, "workers");
const messages = await consumer.consume({ max_messages: concurrency });
const fail = (err: unknown): void =>
  void process.stderr.write(`${JSON.stringify({ level: 50, msg: "js-worker error", error: String(err) })}\n`);

void (async () => {
  for await (const m of messages) {
    const id = m.headers?.get("Bench-Id") ?? "";
    if (mode === "reply") {
      const h = headers();
      h.set("Bench-Id", id);
      nc.publish(m.headers?.get("Bench-Reply") ?? "", m.data, { headers: h });
      m.ack();
    } else {
      const h = headers();
      h.set("Bench-Id", id);
      // Not awaited here: up to `concurrency` results are in flight at once, like the toolmesh worker's tasks.
      js.publish(resultSubject!, m.data, { headers: h, msgID: `r-${id}` }).then(
        () => m.ack(),
        (err: unknown) => {
          fail(err);
          m.nak();
        },
      );
    }
  }
})().catch(fail);
logReady({ stream, mode, concurrency });

onShutdown(createLogger("bench-js-worker", "warn"), async () => {
  messages.stop();
  await nc.drain().catch(() => undefined);
});
