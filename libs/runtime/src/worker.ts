import { jetstream, jetstreamManager, type Consumer } from "@nats-io/jetstream";
import type { NatsConnection, Subscription } from "@nats-io/transport-node";
import {
  Consumers,
  ErrorCode,
  Streams,
  poolDefinition,
  Subjects,
  ensureEventStream,
  ensurePoolConsumer,
  ensureResultStream,
  decodeJson,
  encodeJson,
  type CancelCommand,
  type CommandReply,
  type Logger,
  type MetricsSnapshot,
  type PoolName,
  type SetLimitCommand,
} from "@toolmesh/core";
import { openOutputStore, type ObjectStore } from "@toolmesh/core";
import { randomUUID } from "node:crypto";
import { setTimeout as sleep } from "node:timers/promises";
import type { Registry } from "prom-client";
import { AttemptLedger } from "./attempt-ledger.js";
import { RunningTasks } from "./cancellations.js";
import type { ToolHandlers } from "./handler.js";
import { LatencyWindow } from "./latency-window.js";
import { ConcurrencyLimiter } from "./limiter.js";
import { AbortReason, runTask } from "./task-runner.js";
import { AdaptiveController, type AdaptiveOptions } from "./adaptive.js";
import { ResourceSampler } from "./resources.js";
import { WindowRecorder } from "./window-recorder.js";
import { createWorkerMetrics } from "./worker-metrics.js";

/** Deliveries of one attempt before the consumer gives it up (the ledger answers the last one whatever it finds). */
const POOL_MAX_DELIVER = 5;

export interface WorkerOptions {
  service: string;
  pool: PoolName;
  handlers: ToolHandlers;
  nc: NatsConnection;
  log: Logger;
  registry: Registry;
  instanceId?: string;
  /** Starting limit; the pool's minimum by default. */
  limit?: number;
  /** Consumer ack wait: how long a dead worker's task waits before redelivery. */
  ackWaitMs?: number;
  metricsIntervalMs?: number;
  /** How long a pull waits for work before it is renewed. */
  pullExpiresMs?: number;
  /** Facts an operator must see in ping replies (e.g. "sandbox=none"). */
  status?: () => string;
  /** Outputs above this go to the object store (default 256 KiB, capped by the server's max_payload). */
  inlineOutputBytes?: number;
  /** Outputs above this fail with RESOURCE_EXHAUSTED (default 64 MiB). */
  maxOutputBytes?: number;
  /** Adaptive concurrency within a range; off (a fixed limit) when omitted or false. */
  adaptive?: AdaptiveOptions | false;
}

export interface Worker {
  readonly instanceId: string;
  readonly pool: PoolName;
  readonly limiter: ConcurrencyLimiter;
  /** Stopped taking work (drain began). */
  readonly draining: boolean;
  /** The adaptive controller, when adaptive concurrency is on. */
  readonly adaptive: AdaptiveController | undefined;
  /** Stops taking work and waits for in-flight tasks (up to graceMs, then aborts them). */
  drain(graceMs?: number): Promise<void>;
}

/**
 * A pool worker: pulls tasks from the pool's JetStream work queue as fast as
 * its concurrency limit allows (each pull asks for exactly the free slots),
 * runs them with their handlers, and answers the command bus.
 */
export async function startWorker(options: WorkerOptions): Promise<Worker> {
  const { nc, pool, log } = options;
  const instanceId = options.instanceId ?? `${options.service}-${randomUUID().slice(0, 8)}`;
  const range = poolDefinition(pool);
  const ackWaitMs = options.ackWaitMs ?? 30_000;
  const limiter = new ConcurrencyLimiter(options.limit ?? range.minLimit);
  const metrics = createWorkerMetrics(options.registry);
  const latencies = new LatencyWindow();
  const window = new WindowRecorder();
  const resources = new ResourceSampler();
  const running = new RunningTasks();
  const counters = { completed: 0, failed: 0 };
  const ledger = new AttemptLedger(nc, pool, instanceId, log, ackWaitMs);

  const jsm = await jetstreamManager(nc);
  await ensureEventStream(jsm);
  await ensureResultStream(jsm);
  await ensurePoolConsumer(jsm, pool, ackWaitMs, POOL_MAX_DELIVER);
  const js = jetstream(nc);
  const consumer = await js.consumers.get(Streams.tasks(pool), Consumers.poolWorkers);
  const adaptive = options.adaptive ? await AdaptiveController.start({ nc, pool, instanceId, limiter, metrics, log }, options.adaptive) : undefined;

  let outputs: Promise<ObjectStore> | undefined;
  const outputStore = (): Promise<ObjectStore> => {
    outputs ??= openOutputStore(nc).catch((err: unknown) => {
      outputs = undefined;
      throw err;
    });
    return outputs;
  };

  let pulling = true;
  let draining = false;
  const subscriptions: Subscription[] = [];
  const reply = (ok: boolean, detail?: string): Uint8Array =>
    encodeJson({ instanceId, service: options.service, pool, ok, ...(detail ? { detail } : {}) } satisfies CommandReply);

  subscriptions.push(
    nc.subscribe(Subjects.cancel, {
      callback: (err, msg) => {
        if (err) return;
        const command = decodeJson<CancelCommand>(msg.data);
        const aborted = running.cancel(command);
        if (aborted > 0) log.info({ ...command, aborted }, "cancelled running tasks");
      },
    }),
    nc.subscribe(Subjects.setLimit(pool), {
      callback: (err, msg) => {
        if (err) return;
        const { limit, adaptive: resume } = decodeJson<SetLimitCommand>(msg.data);
        if (resume && adaptive) {
          adaptive.unpin();
          log.info("adaptive concurrency resumed");
          msg.respond(reply(true, `limit=${limiter.limit} adaptive`));
          return;
        }
        if (!Number.isInteger(limit) || limit < 1) {
          msg.respond(reply(false, `limit must be a whole number >= 1, got ${String(limit)}`));
          return;
        }
        const applied = Math.min(limit, range.maxLimit);
        // An operator's limit holds: adaptation waits until asked back ({adaptive: true}).
        adaptive?.pin();
        limiter.setLimit(applied);
        metrics.limit.set({ pool }, applied);
        log.info({ requested: limit, applied }, "concurrency limit changed");
        msg.respond(reply(true, `limit=${applied}`));
      },
    }),
    nc.subscribe(Subjects.drain(pool), {
      callback: (err, msg) => {
        if (err) return;
        void worker.drain().then(() => msg.respond(reply(true, "drained")));
      },
    }),
    nc.subscribe(Subjects.ping, {
      callback: (err, msg) => {
        if (err) return;
        const state = draining ? "draining" : `limit=${limiter.limit} inFlight=${limiter.inFlight}`;
        msg.respond(reply(true, options.status ? `${options.status()} ${state}` : state));
      },
    }),
  );

  // A caller that gets this worker back may command it at once: make sure the
  // server has registered the subscriptions before returning.
  await nc.flush();

  metrics.limit.set({ pool }, limiter.limit);
  const pullLoop = pull(consumer, options.pullExpiresMs ?? 2000);
  const snapshotTimer = setInterval(() => void publishSnapshot(), options.metricsIntervalMs ?? 2000);
  const sampleTimer = setInterval(() => window.sample(limiter.inFlight, limiter.limit), 100);

  async function pull(source: Consumer, expires: number): Promise<void> {
    while (pulling) {
      await limiter.whenFree();
      if (!pulling) break;
      try {
        const asked = limiter.free;
        if (asked === 0) continue;
        const batch = await source.fetch({ max_messages: asked, expires });
        let got = 0;
        for await (const msg of batch) {
          got += 1;
          // The pull can still deliver after drain began: hand those back at
          // once rather than leave them waiting out the ack wait.
          if (!pulling) {
            msg.nak();
            continue;
          }
          limiter.take();
          metrics.inFlight.set({ pool }, limiter.inFlight);
          void execute(msg);
        }
        window.pulled(asked, got);
      } catch (err) {
        if (!pulling) break;
        log.warn({ err }, "pull failed; retrying");
        await sleep(500);
        // After a nats-server restart the consumer may be gone with its store: make it again (a no-op when it is there).
        await ensurePoolConsumer(jsm, pool, ackWaitMs, POOL_MAX_DELIVER).catch((ensureErr: unknown) => log.debug({ err: ensureErr }, "pool consumer not ensured yet"));
      }
    }
  }

  async function execute(msg: Parameters<typeof runTask>[0]): Promise<void> {
    const key = `${msg.seq}`;
    const controller = new AbortController();
    let deadlineTimer: NodeJS.Timeout | undefined;
    try {
      await runTask(
        msg,
        {
          nc,
          js,
          pool,
          instanceId,
          handlers: options.handlers,
          log,
          metrics,
          heartbeatMs: Math.max(100, Math.floor(ackWaitMs / 3)),
          inlineOutputBytes: options.inlineOutputBytes ?? 256 * 1024,
          maxOutputBytes: options.maxOutputBytes ?? 64 * 1024 * 1024,
          outputStore,
          ledger,
          maxDeliver: POOL_MAX_DELIVER,
          onFinished: (tool, ms, ok, quality) => {
            latencies.add(ms);
            window.finished(ms, ok, quality);
            adaptive?.toolFinished(tool, ms);
            if (ok) counters.completed += 1;
            else counters.failed += 1;
          },
        },
        controller.signal,
        (task) => {
          running.add(key, task, controller);
          const remaining = task.deadlineMs - Date.now();
          deadlineTimer = setTimeout(
            () => controller.abort(new AbortReason(ErrorCode.DEADLINE_EXCEEDED, `timed out after its deadline`)),
            Math.max(0, remaining),
          );
        },
      );
    } catch (err) {
      log.error({ err }, "task runner failed");
    } finally {
      clearTimeout(deadlineTimer);
      running.delete(key);
      limiter.release();
      metrics.inFlight.set({ pool }, limiter.inFlight);
    }
  }

  async function publishSnapshot(): Promise<void> {
    const now = Date.now();
    const measure = window.take();
    const cpuPercent = resources.cpuPercent();
    const memoryFraction = resources.memoryFraction();
    adaptive?.onWindow(measure, cpuPercent, memoryFraction);
    const { p50, p99 } = latencies.takePercentiles();
    const snapshot: MetricsSnapshot = {
      service: options.service,
      instanceId,
      pool,
      tools: Object.keys(options.handlers),
      timeMs: now,
      limit: limiter.limit,
      minLimit: range.minLimit,
      maxLimit: range.maxLimit,
      inFlight: limiter.inFlight,
      completed: counters.completed,
      failed: counters.failed,
      p50Ms: p50,
      p99Ms: p99,
      cpuPercent,
      rssBytes: process.memoryUsage.rss(),
      draining,
      level: adaptive?.level ?? "fixed",
      throughput: measure.throughput,
      meanMs: measure.meanMs,
      errorRate: measure.errorRate,
      quality: measure.quality,
      saturation: measure.saturation,
      memoryFraction,
      backlog: measure.backlog,
    };
    try {
      nc.publish(Subjects.metrics(options.service, instanceId), encodeJson(snapshot));
      const info = await consumer.info(true);
      metrics.queueDepth.set({ pool }, info.num_pending);
    } catch (err) {
      log.debug({ err }, "metrics snapshot incomplete");
    }
  }

  const worker: Worker = {
    instanceId,
    pool,
    limiter,
    get draining() {
      return draining;
    },
    adaptive,
    async drain(graceMs = 30_000) {
      if (draining) return limiter.whenIdle();
      draining = true;
      pulling = false;
      // Say so at once: capacity views and the autoscaler stop counting this instance now, not when its snapshots go stale.
      void publishSnapshot();
      log.info({ inFlight: limiter.inFlight }, "draining");
      const grace = setTimeout(() => running.abortAll("worker shut down before the task finished"), graceMs);
      await limiter.whenIdle();
      clearTimeout(grace);
      clearInterval(snapshotTimer);
      clearInterval(sampleTimer);
      for (const sub of subscriptions) sub.unsubscribe();
      await pullLoop.catch(() => undefined);
      log.info("drained");
    },
  };
  log.info({ instanceId, pool, limit: limiter.limit, tools: Object.keys(options.handlers) }, "worker started");
  return worker;
}
