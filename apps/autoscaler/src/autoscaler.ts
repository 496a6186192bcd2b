import { jetstreamManager, type JetStreamManager } from "@nats-io/jetstream";
import type { NatsConnection } from "@nats-io/transport-node";
import {
  LiveSnapshots,
  Subjects,
  isPoolName,
  poolDefinition,
  encodeJson,
  type Logger,
  type PoolName,
  type ScaleEvent,
} from "@toolmesh/core";
import type { Registry } from "prom-client";
import { createAutoscalerMetrics } from "./autoscaler-metrics.js";
import type { ScaleBackend } from "./backends/backend.js";
import { ScalingPolicy, summariseLoad, type InstanceCounters, type PoolObservation, type ScaleDecision } from "./policy/index.js";
import { readQueueState } from "./queue-state.js";

export interface AutoscalerOptions {
  nc: NatsConnection;
  backend: ScaleBackend;
  log: Logger;
  registry: Registry;
  pools: readonly PoolName[];
  bounds: ReadonlyMap<PoolName, { min: number; max: number }>;
  maxInstances: number;
  intervalMs: number;
  targetDrainS: number;
  scaleDownWindowMs: number;
  scaleDownStep: number;
  defaultTaskMs: number;
  /** Instances silent this long are gone (3 metrics intervals, at least 5 s). */
  staleMs: number;
}

export interface Autoscaler {
  /** One measure → decide → apply → publish round (the loop calls it every interval). */
  tick(): Promise<ScaleDecision[]>;
  close(): Promise<void>;
}

/**
 * The loop: every interval, per managed pool, read the backend's replicas,
 * the metrics bus and the consumer's lag; let the pure policy decide; apply
 * changes; publish every decision (holds too) as a ScaleEvent on
 * tm.evt.pool.<pool>.scale. Rounds never overlap: the next is scheduled
 * when the last one ends.
 */
export async function startAutoscaler(options: AutoscalerOptions): Promise<Autoscaler> {
  const { nc, backend, log } = options;
  const jsm: JetStreamManager = await jetstreamManager(nc);
  const metrics = createAutoscalerMetrics(options.registry);
  const view = new LiveSnapshots(options.staleMs);
  view.start(nc);
  const policy = new ScalingPolicy({
    targetDrainS: options.targetDrainS,
    scaleDownWindowMs: options.scaleDownWindowMs,
    scaleDownStep: options.scaleDownStep,
    maxInstances: options.maxInstances,
    defaultTaskMs: options.defaultTaskMs,
    bounds: options.bounds,
    fallbackLimit: (pool) => (isPoolName(pool) ? poolDefinition(pool).minLimit : 1),
  });
  const counters = new Map<PoolName, InstanceCounters>(options.pools.map((p) => [p, new Map()]));
  const appliedOnce = new Set<PoolName>();

  async function observe(pool: PoolName): Promise<PoolObservation | undefined> {
    let current: number;
    try {
      current = await backend.current(pool);
    } catch (err) {
      metrics.errors.inc({ pool, reason: "backend-read" });
      log.error({ pool, err }, "could not read the pool's replicas; no decision this round");
      return undefined;
    }
    const queue = await readQueueState(jsm, pool);
    return { pool, current, queue, load: summariseLoad(view.pool(pool), counters.get(pool)!) };
  }

  async function act(decision: ScaleDecision): Promise<void> {
    const pool = decision.pool as PoolName;
    metrics.desired.set({ pool }, decision.replicas);
    metrics.decisions.inc({ pool, direction: decision.direction });
    if (decision.error) {
      metrics.errors.inc({ pool, reason: decision.error.reason });
      log.error({ pool, reason: decision.error.reason, error: decision.error.message }, "pool not measured");
    }
    const logLine = { pool, previous: decision.previous, desired: decision.desired, replicas: decision.replicas, reason: decision.reason };
    if (decision.direction === "hold") log.debug(logLine, "scale decision");
    else log.info(logLine, "scale decision");
    // The first round applies even a hold, so the backend's settings (an HPA's ceiling) match the policy.
    if (decision.direction !== "hold" || !appliedOnce.has(pool)) {
      try {
        await backend.apply(pool, decision.replicas);
        appliedOnce.add(pool);
      } catch (err) {
        metrics.errors.inc({ pool, reason: "apply" });
        log.error({ pool, replicas: decision.replicas, err }, "could not apply the decision");
      }
    }
    metrics.replicas.set({ pool }, await backend.current(pool).catch(() => decision.previous));
    const event: ScaleEvent = {
      kind: "pool.scale",
      pool,
      timeMs: Date.now(),
      previousReplicas: decision.previous,
      replicas: decision.replicas,
      desiredReplicas: decision.desired,
      reason: decision.reason,
      backend: backend.name,
    };
    nc.publish(Subjects.poolScaleEvent(pool), encodeJson(event));
  }

  async function tick(): Promise<ScaleDecision[]> {
    const observations = (await Promise.all(options.pools.map(observe))).filter((o): o is PoolObservation => o !== undefined);
    const decisions = policy.decide(observations, Date.now());
    // Scale-downs first: under the cap, the instances they free are what scale-ups use.
    const ordered = [...decisions].sort((a, b) => Number(a.direction !== "down") - Number(b.direction !== "down"));
    await Promise.all(ordered.filter((d) => d.direction === "down").map(act));
    await Promise.all(ordered.filter((d) => d.direction !== "down").map(act));
    return decisions;
  }

  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<unknown> = Promise.resolve();
  const loop = (): void => {
    if (stopped) return;
    running = tick()
      .catch((err: unknown) => log.error({ err }, "autoscaler round failed"))
      .finally(() => {
        if (!stopped) timer = setTimeout(loop, options.intervalMs);
      });
  };
  loop();

  return {
    tick,
    async close() {
      stopped = true;
      clearTimeout(timer);
      await running;
      view.stop();
      await backend.close();
    },
  };
}
