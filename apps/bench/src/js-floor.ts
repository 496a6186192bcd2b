import { AckPolicy, RetentionPolicy, StorageType, jetstream, jetstreamManager, type ConsumerMessages } from "@nats-io/jetstream";
import { connect, headers, type NatsConnection, type Subscription } from "@nats-io/transport-node";
import { randomUUID } from "node:crypto";
import { CALL_TIMEOUT_MS, ECHO_VALUE, echoMismatch } from "./payload.js";
import { ProcessGroup, benchScript } from "./processes.js";
import { streamWriteCounter } from "./stream-writes.js";
import type { BenchSystem } from "./system.js";

/** "reply": task persisted, result a core NATS publish; "persist": both through JetStream, publish acks awaited. */
export type JsFloorMode = "reply" | "persist";

interface Waiter {
  resolve(data: Uint8Array): void;
  reject(err: Error): void;
  timer: NodeJS.Timeout;
}

const fileWorkQueue = (name: string, subject: string) => ({
  name,
  subjects: [subject],
  retention: RetentionPolicy.Workqueue,
  storage: StorageType.File,
  duplicate_window: 120_000_000_000,
});

/**
 * What toolmesh's persistence costs without toolmesh: the bench publishes
 * each task into a file-backed work-queue stream (awaiting the publish ack,
 * with a message id as toolmesh does), a worker in a child process pulls it;
 * the result comes back either as a plain core NATS message ("reply": the
 * one-persisted-hop floor) or through a second work-queue stream this
 * process consumes and acks ("persist": today's two persisted hops).
 */
export async function startJsFloor(natsUrl: string, concurrency: number, mode: JsFloorMode): Promise<BenchSystem> {
  const tag = randomUUID().slice(0, 8);
  const taskStream = `BENCH_TASKS_${tag}`;
  const taskSubject = `bench.task.${tag}`;
  const resultStream = `BENCH_RESULTS_${tag}`;
  const resultSubject = `bench.result.${tag}`;
  const replySubject = `bench.reply.${tag}`;
  const group = new ProcessGroup();
  let nc: NatsConnection | undefined;
  let sub: Subscription | undefined;
  let results: ConsumerMessages | undefined;
  const waiters = new Map<string, Waiter>();
  const settle = (id: string, data: Uint8Array): void => {
    const w = waiters.get(id);
    if (!w) return;
    waiters.delete(id);
    clearTimeout(w.timer);
    w.resolve(data);
  };
  const close = async (): Promise<void> => {
    await group.stopAll();
    results?.stop();
    sub?.unsubscribe();
    if (nc) {
      const jsm = await jetstreamManager(nc);
      for (const s of [taskStream, resultStream]) await jsm.streams.delete(s).catch(() => undefined);
      await nc.close();
    }
  };
  try {
    nc = await connect({ servers: natsUrl, name: `bench-js-floor-${mode}` });
    const jsm = await jetstreamManager(nc);
    const js = jetstream(nc);
    await jsm.streams.add(fileWorkQueue(taskStream, taskSubject));
    await jsm.consumers.add(taskStream, { durable_name: "workers", ack_policy: AckPolicy.Explicit, max_ack_pending: concurrency });
    if (mode === "persist") {
      await jsm.streams.add(fileWorkQueue(resultStream, resultSubject));
      await jsm.consumers.add(resultStream, { durable_name: "client", ack_policy: AckPolicy.Explicit, max_ack_pending: 20_000 });
      results = await (await js.consumers.get(resultStream, "client")).consume({ max_messages: 1_000 });
      const incoming = results;
      void (async () => {
        for await (const m of incoming) {
          settle(m.headers?.get("Bench-Id") ?? "", m.data);
          m.ack();
        }
      })();
    } else {
      sub = nc.subscribe(replySubject, {
        callback: (err, m) => {
          if (!err) settle(m.headers?.get("Bench-Id") ?? "", m.data);
        },
      });
      await nc.flush();
    }
    const [worker] = await group.start({
      name: `js-worker`,
      script: benchScript("js-worker"),
      env: {
        TOOLMESH_NATS_URL: natsUrl,
        TOOLMESH_BENCH_STREAM: taskStream,
        TOOLMESH_BENCH_MODE: mode,
        TOOLMESH_BENCH_RESULT_SUBJECT: resultSubject,
        TOOLMESH_BENCH_CONCURRENCY: String(concurrency),
      },
    });
    const writes = streamWriteCounter(nc, (name) => name === taskStream || name === resultStream);
    const payload = new TextEncoder().encode(ECHO_VALUE);
    const decoder = new TextDecoder();
    return {
      key: mode === "reply" ? "js-one-hop" : "js-both",
      name: mode === "reply" ? "one persisted hop (JetStream task, core reply)" : "both persisted (JetStream task + result)",
      processes: [{ label: "js-worker", pid: worker!.child.pid }],
      uses: ["nats"],
      async streamWrites() {
        const seqs = await writes();
        return { BENCH_TASKS: seqs[taskStream], ...(mode === "persist" ? { BENCH_RESULTS: seqs[resultStream] } : {}) };
      },
      async call(index) {
        const id = String(index);
        const done = new Promise<Uint8Array>((resolve, reject) => {
          const timer = setTimeout(() => {
            waiters.delete(id);
            reject(new Error(`JetStream ${mode} call ${id}: no result in ${CALL_TIMEOUT_MS} ms`));
          }, CALL_TIMEOUT_MS);
          waiters.set(id, { resolve, reject, timer });
        });
        const h = headers();
        h.set("Bench-Id", id);
        if (mode === "reply") h.set("Bench-Reply", replySubject);
        try {
          await js.publish(taskSubject, payload, { headers: h, msgID: `t-${id}` });
        } catch (err) {
          clearTimeout(waiters.get(id)?.timer);
          waiters.delete(id);
          throw err;
        }
        const echoed = decoder.decode(await done);
        if (echoed !== ECHO_VALUE) throw echoMismatch(`JetStream ${mode}`, echoed);
      },
      close,
    };
  } catch (err) {
    await close().catch(() => undefined);
    throw err;
  }
}
