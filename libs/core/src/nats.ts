import {
  AckPolicy,
  DeliverPolicy,
  JetStreamApiCodes,
  JetStreamApiError,
  RetentionPolicy,
  StorageType,
  type ConsumerConfig,
  type JetStreamManager,
  type StreamConfig,
} from "@nats-io/jetstream";
import { connect, nanos, type NatsConnection, type NodeConnectionOptions } from "@nats-io/transport-node";
import type { BaseConfig } from "./config.js";
import { jetStreamReplicas } from "./js-replicas.js";
import { batchNatsWrites } from "./nats-writes.js";
import type { PoolName } from "./pools.js";
import { Consumers, Streams, Subjects } from "./subjects.js";
import { DUPLICATE_WINDOW_MS } from "./wire-limits.js";

/** Connects with the credentials the config names (token, user/password or creds file). */
export async function connectNats(config: BaseConfig, name: string): Promise<NatsConnection> {
  const options: NodeConnectionOptions = {
    servers: config.TOOLMESH_NATS_URL.split(","),
    name,
    maxReconnectAttempts: -1,
    reconnectTimeWait: 250,
    // No stack capture per request/publish: ~5 % of CPU on the hot path.
    noAsyncTraces: true,
  };
  if (config.TOOLMESH_NATS_INBOX_PREFIX) options.inboxPrefix = config.TOOLMESH_NATS_INBOX_PREFIX;
  if (config.TOOLMESH_NATS_TOKEN) options.token = config.TOOLMESH_NATS_TOKEN;
  if (config.TOOLMESH_NATS_USER) {
    options.user = config.TOOLMESH_NATS_USER;
    options.pass = config.TOOLMESH_NATS_PASSWORD ?? "";
  }
  if (config.TOOLMESH_NATS_CREDS) {
    const { readFile } = await import("node:fs/promises");
    const { credsAuthenticator } = await import("@nats-io/transport-node");
    options.authenticator = credsAuthenticator(await readFile(config.TOOLMESH_NATS_CREDS));
  }
  batchNatsWrites();
  return connect(options);
}

/** Whether `err` is a JetStream API error with one of `codes`: matched by code, since the server's wording may change. */
export function isJetStreamApiError(err: unknown, ...codes: JetStreamApiCodes[]): boolean {
  return err instanceof JetStreamApiError && (codes as number[]).includes(err.code);
}

/** Creates the stream when missing; an existing one is updated to `config`. */
async function ensureStream(jsm: JetStreamManager, config: Partial<StreamConfig> & { name: string }): Promise<void> {
  try {
    const info = await jsm.streams.info(config.name);
    const wanted = [...(config.subjects ?? [])].sort().join(",");
    if ([...info.config.subjects].sort().join(",") !== wanted) {
      await jsm.streams.update(config.name, { subjects: config.subjects ?? [] });
    }
  } catch (err) {
    if (!isJetStreamApiError(err, JetStreamApiCodes.StreamNotFound)) throw err;
    try {
      await jsm.streams.add({ num_replicas: jetStreamReplicas(), ...config });
    } catch (addErr) {
      // Another instance created it between our info and add: that is fine.
      await jsm.streams.info(config.name).catch(() => {
        throw addErr;
      });
    }
  }
}

async function ensureConsumer(
  jsm: JetStreamManager,
  stream: string,
  config: Partial<ConsumerConfig> & { durable_name: string },
): Promise<void> {
  try {
    const info = await jsm.consumers.info(stream, config.durable_name);
    if (info.config.ack_wait !== config.ack_wait || info.config.max_deliver !== config.max_deliver) {
      await jsm.consumers.update(stream, config.durable_name, {
        ack_wait: config.ack_wait,
        max_deliver: config.max_deliver,
      });
    }
  } catch (err) {
    if (!isJetStreamApiError(err, JetStreamApiCodes.ConsumerNotFound)) throw err;
    await jsm.consumers.add(stream, config);
  }
}

const DUPLICATE_WINDOW = nanos(DUPLICATE_WINDOW_MS);

/** TM_EVENTS: every workflow's events, kept for replay by late watchers. */
export async function ensureEventStream(jsm: JetStreamManager, maxAgeMs = 24 * 3600_000): Promise<void> {
  await ensureStream(jsm, {
    name: Streams.events,
    subjects: [Subjects.allEvents],
    retention: RetentionPolicy.Limits,
    storage: StorageType.File,
    max_age: nanos(maxAgeMs),
    max_bytes: 1024 * 1024 * 1024,
    duplicate_window: DUPLICATE_WINDOW,
  });
}

/** TM_RESULTS: results on their way to the coordinator; removed once acked. */
export async function ensureResultStream(jsm: JetStreamManager): Promise<void> {
  await ensureStream(jsm, {
    name: Streams.results,
    subjects: [Subjects.allResults],
    retention: RetentionPolicy.Workqueue,
    storage: StorageType.File,
    duplicate_window: DUPLICATE_WINDOW,
  });
}

/**
 * A coordinator's durable consumer on TM_RESULTS: one per partition
 * (`tm.data.result.p<n>.>`, used by the partition's owner) or one per
 * coordinator for the calls it serves itself, which goes away unused after
 * `inactiveMs`. Work-queue consumers' filters may not overlap, so the single
 * coordinator's unfiltered consumer of before partitions is removed first.
 */
export async function ensureResultConsumer(
  jsm: JetStreamManager,
  ackWaitMs: number,
  consumer: { name: string; filter: string; inactiveMs?: number },
): Promise<void> {
  await ensureConsumer(jsm, Streams.results, {
    durable_name: consumer.name,
    filter_subject: consumer.filter,
    ack_policy: AckPolicy.Explicit,
    deliver_policy: DeliverPolicy.All,
    ack_wait: nanos(ackWaitMs),
    max_deliver: -1,
    max_ack_pending: 20_000,
    ...(consumer.inactiveMs ? { inactive_threshold: nanos(consumer.inactiveMs) } : {}),
  });
}

/** Removes the consumer a coordinator of before partitions used (all results, unfiltered), if it is still there. */
export async function removeUnpartitionedResultConsumer(jsm: JetStreamManager): Promise<void> {
  try {
    await jsm.consumers.delete(Streams.results, Consumers.coordinator);
  } catch (err) {
    if (!isJetStreamApiError(err, JetStreamApiCodes.ConsumerNotFound)) throw err;
  }
}

/** TM_TASKS_<POOL>: the pool's work queue (publishers need only the stream). */
export async function ensurePoolStream(jsm: JetStreamManager, pool: PoolName): Promise<void> {
  await ensureStream(jsm, {
    name: Streams.tasks(pool),
    subjects: [Subjects.task(pool)],
    retention: RetentionPolicy.Workqueue,
    storage: StorageType.File,
    duplicate_window: DUPLICATE_WINDOW,
  });
}

/**
 * The one durable pull consumer that all of a pool's workers share. A task
 * whose worker dies is redelivered after ackWaitMs (workers heartbeat long
 * tasks so that live ones are not).
 */
export async function ensurePoolConsumer(jsm: JetStreamManager, pool: PoolName, ackWaitMs: number, maxDeliver = 5): Promise<void> {
  await ensurePoolStream(jsm, pool);
  await ensureConsumer(jsm, Streams.tasks(pool), {
    durable_name: Consumers.poolWorkers,
    ack_policy: AckPolicy.Explicit,
    deliver_policy: DeliverPolicy.All,
    ack_wait: nanos(ackWaitMs),
    max_deliver: maxDeliver,
    max_ack_pending: 50_000,
  });
}
