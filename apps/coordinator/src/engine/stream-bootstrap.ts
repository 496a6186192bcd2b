import { jetstreamManager, type JetStreamManager } from "@nats-io/jetstream";
import type { NatsConnection } from "@nats-io/transport-node";
import {
  NATIVE_POOLS,
  ensureAttemptsBucket,
  ensureEventStream,
  ensurePoolStream,
  ensureResultStream,
  removeUnpartitionedResultConsumer,
  type PoolName,
} from "@toolmesh/core";

/**
 * Creates (or checks) every stream, consumer and bucket the coordinator
 * uses, before it touches any of them. Returns the pools whose streams now exist.
 */
export async function bootstrapStreams(nc: NatsConnection): Promise<{ jsm: JetStreamManager; ensuredPools: Set<PoolName> }> {
  const jsm = await jetstreamManager(nc);
  await ensureEventStream(jsm);
  await ensureResultStream(jsm);
  // Results consumers come and go with partitions (engine/result-consumers.ts); the unfiltered one of before goes.
  await removeUnpartitionedResultConsumer(jsm);
  await ensureAttemptsBucket(nc);
  const ensuredPools = new Set<PoolName>();
  for (const pool of NATIVE_POOLS) {
    await ensurePoolStream(jsm, pool);
    ensuredPools.add(pool);
  }
  return { jsm, ensuredPools };
}
