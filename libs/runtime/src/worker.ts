import { jetstream, jetstreamManager, type Consumer, type JetStreamClient, type JetStreamManager, type JsMsg } from "@nats-io/jetstream";
import type { Subscription } from "@nats-io/transport-node";
import {
  Consumers,
  Streams,
  Subjects,
  encodeJson,
  ensureEventStream,
  ensurePoolConsumer,
  ensureResultStream,
  openOutputStore,
  type ObjectStore,
  type PoolName,
} from "@toolmesh/core";
import { AdaptiveController } from "./adaptive.js";
import { AttemptLedger } from "./attempt-ledger.js";
import { AttemptAbort, RunningTasks } from "./cancellations.js";
import { LatencyWindow } from "./latency-window.js";
import { ConcurrencyLimiter } from "./limiter.js";
import { PullLoop } from "./pull-loop.js";
import { ResourceSampler } from "./resources.js";
import { runTask, type TaskRunnerDeps } from "./task-runner.js";
import { WindowRecorder } from "./window-recorder.js";
import { subscribeCommands } from "./worker-commands.js";
import { PoolSeries, createWorkerMetrics, type WorkerMetrics } from "./worker-metrics.js";
import {
  POOL_MAX_DELIVER,
  WORKER_DEFAULTS,
  compileWorkerOptions,
  type CompiledWorkerOptions,
  type WorkerOptions,
} from "./worker-options.js";
import { buildSnapshot } from "./worker-snapshot.js";

export type { WorkerOptions } from "./worker-options.js";

/** starting → running → draining → stopped; a worker never goes back. */
export type WorkerState = "starting" | "running" | "draining" | "stopped";

export interface Worker {
  readonly instanceId: string;
  readonly pool: PoolName;
  readonly limiter: ConcurrencyLimiter;
  readonly state: WorkerState;
  /** Stopped taking work (drain began). */
  readonly draining: boolean;
  /** The adaptive controller, when adaptive concurrency is on. */
  readonly adaptive: AdaptiveController | undefined;
  /** Stops taking work and waits for in-flight tasks (up to graceMs, then aborts them). */
  drain(graceMs?: number): Promise<void>;
  /** A drain that aborts in-flight tasks at once. */
  stop(): Promise<void>;
}

/** What exists only once the worker is connected: the JetStream handles and the pool's consumer. */
interface Connected {
  jsm: JetStreamManager;
  js: JetStreamClient;
  consumer: Consumer;
}

/**
 * A pool worker: pulls tasks from the pool's JetStream work queue as fast as
 * its concurrency limit allows, runs them with their handlers, and answers
 * the command bus.
 */
class PoolWorker implements Worker {
  readonly instanceId: string;
  readonly pool: PoolName;
  readonly limiter: ConcurrencyLimiter;
  adaptive: AdaptiveController | undefined;
  #state: WorkerState = "starting";
  #connected!: Connected;
  #pull!: PullLoop;
  #subscriptions: Subscription[] = [];
  #timers: NodeJS.Timeout[] = [];
  #outputs: Promise<ObjectStore> | undefined;
  readonly #metrics: WorkerMetrics;
  readonly #series: PoolSeries;
  /** What every task's run shares (made once connected). */
  #runnerDeps!: TaskRunnerDeps;
  readonly #ledger: AttemptLedger;
  readonly #latencies = new LatencyWindow();
  readonly #window = new WindowRecorder();
  readonly #resources = new ResourceSampler();
  readonly #running = new RunningTasks();
  readonly #counters = { completed: 0, failed: 0 };

  constructor(private readonly options: CompiledWorkerOptions) {
    this.instanceId = options.instanceId;
    this.pool = options.pool;
    this.limiter = new ConcurrencyLimiter(options.limit);
    this.#metrics = createWorkerMetrics(options.registry);
    this.#series = new PoolSeries(this.#metrics, options.pool);
    this.#ledger = new AttemptLedger(options.nc, options.pool, options.instanceId, options.log, options.ackWaitMs);
  }

  get state(): WorkerState {
    return this.#state;
  }

  get draining(): boolean {
    return this.#state === "draining" || this.#state === "stopped";
  }

  async start(): Promise<void> {
    const { nc, pool, log, ackWaitMs, instanceId } = this.options;
    const jsm = await jetstreamManager(nc);
    await ensureEventStream(jsm);
    await ensureResultStream(jsm);
    await ensurePoolConsumer(jsm, pool, ackWaitMs, POOL_MAX_DELIVER);
    const js = jetstream(nc);
    const consumer = await js.consumers.get(Streams.tasks(pool), Consumers.poolWorkers);
    this.#connected = { jsm, js, consumer };
    this.#runnerDeps = {
      nc,
      js,
      pool,
      instanceId,
      handlers: this.options.handlers,
      log,
      metrics: this.#metrics,
      series: this.#series,
      inlineOutputBytes: this.options.inlineOutputBytes,
      maxOutputBytes: this.options.maxOutputBytes,
      outputStore: this.#outputStore,
      ledger: this.#ledger,
      maxDeliver: POOL_MAX_DELIVER,
      onFinished: (tool, ms, ok, quality) => {
        this.#latencies.add(ms);
        this.#window.finished(ms, ok, quality);
        this.adaptive?.toolFinished(tool, ms);
        if (ok) this.#counters.completed += 1;
        else this.#counters.failed += 1;
      },
    };
    const { limiter } = this;
    this.adaptive = this.options.adaptive
      ? await AdaptiveController.start({ nc, pool, instanceId, limiter, metrics: this.#metrics, log }, this.options.adaptive)
      : undefined;

    this.#subscriptions = subscribeCommands(nc, {
      instanceId,
      service: this.options.service,
      pool,
      maxLimit: this.options.maxLimit,
      limiter,
      running: this.#running,
      adaptive: this.adaptive,
      log,
      draining: () => this.draining,
      status: this.options.status,
      onLimit: (applied) => this.#metrics.limit.set({ pool }, applied),
      drain: () => this.drain(),
    });
    // A caller that gets this worker back may command it at once: make sure the
    // server has registered the subscriptions before returning.
    await nc.flush();

    this.#metrics.limit.set({ pool }, limiter.limit);
    this.#pull = new PullLoop({
      source: consumer,
      limiter,
      expiresMs: this.options.pullExpiresMs,
      log,
      onMessage: (msg) => {
        this.#series.inFlight.set(limiter.inFlight);
        void this.#execute(msg);
      },
      onPulled: (asked, got) => this.#window.pulled(asked, got),
      onNotification: (note) => this.#metrics.consumerNotifications.inc({ pool, type: note.type }),
      recover: () => ensurePoolConsumer(jsm, pool, ackWaitMs, POOL_MAX_DELIVER).then(() => undefined),
    });
    this.#pull.start();
    this.#timers = [
      setInterval(() => void this.#publishSnapshot(), this.options.metricsIntervalMs),
      setInterval(() => {
        this.#window.sample(limiter.inFlight, limiter.limit);
        // From delivery to ack, not only while a handler runs: an attempt whose result waits for a restarting
        // server must not be redelivered elsewhere meanwhile (there it would be an "outcome unknown").
        this.#running.tick(Date.now(), this.options.heartbeatMs);
      }, 100),
    ];
    this.#state = "running";
    log.info({ instanceId, pool, limit: limiter.limit, tools: Object.keys(this.options.handlers) }, "worker started");
  }

  async drain(graceMs: number = WORKER_DEFAULTS.drainGraceMs): Promise<void> {
    if (this.draining) return this.limiter.whenIdle();
    this.#state = "draining";
    const stopping = this.#pull.stop();
    const { log } = this.options;
    // Say so at once: capacity views and the autoscaler stop counting this instance now, not when its snapshots go stale.
    void this.#publishSnapshot();
    log.info({ inFlight: this.limiter.inFlight }, "draining");
    const grace = setTimeout(() => this.#running.abortAll("worker shut down before the task finished"), graceMs);
    await this.limiter.whenIdle();
    clearTimeout(grace);
    for (const timer of this.#timers) clearInterval(timer);
    for (const sub of this.#subscriptions) sub.unsubscribe();
    await stopping;
    this.#state = "stopped";
    log.info("drained");
  }

  stop(): Promise<void> {
    return this.drain(0);
  }

  #outputStore = (): Promise<ObjectStore> => {
    this.#outputs ??= openOutputStore(this.options.nc).catch((err: unknown) => {
      this.#outputs = undefined;
      throw err;
    });
    return this.#outputs;
  };

  async #execute(msg: JsMsg): Promise<void> {
    const key = `${msg.seq}`;
    const abort = new AttemptAbort();
    try {
      await runTask(msg, this.#runnerDeps, abort, (task) => this.#running.add(key, task, abort, () => msg.working()));
    } catch (err) {
      this.options.log.error({ err }, "task runner failed");
    } finally {
      this.#running.delete(key);
      this.limiter.release();
      this.#series.inFlight.set(this.limiter.inFlight);
    }
  }

  async #publishSnapshot(): Promise<void> {
    const { nc, pool, log, service } = this.options;
    const timeMs = Date.now();
    const measure = this.#window.take();
    const cpuPercent = this.#resources.cpuPercent();
    const memoryFraction = this.#resources.memoryFraction();
    this.adaptive?.onWindow(measure, cpuPercent, memoryFraction);
    const snapshot = buildSnapshot({
      service,
      instanceId: this.instanceId,
      pool,
      tools: Object.keys(this.options.handlers),
      timeMs,
      limit: this.limiter.limit,
      minLimit: this.options.minLimit,
      maxLimit: this.options.maxLimit,
      inFlight: this.limiter.inFlight,
      ...this.#counters,
      percentiles: this.#latencies.takePercentiles(),
      cpuPercent,
      memoryFraction,
      rssBytes: process.memoryUsage.rss(),
      draining: this.draining,
      level: this.adaptive?.level ?? "fixed",
      measure,
    });
    try {
      nc.publish(Subjects.metrics(service, this.instanceId), encodeJson(snapshot));
      const info = await this.#connected.consumer.info(true);
      this.#metrics.queueDepth.set({ pool }, info.num_pending);
    } catch (err) {
      log.debug({ err }, "metrics snapshot incomplete");
    }
  }
}

/** Compiles the options, connects and starts pulling; the worker returned is already answering commands. */
export async function startWorker(options: WorkerOptions): Promise<Worker> {
  const worker = new PoolWorker(compileWorkerOptions(options));
  await worker.start();
  return worker;
}
