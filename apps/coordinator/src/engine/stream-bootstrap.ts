import { jetstreamManager, type JetStreamManager } from "@nats-io/jetstream";
import type { NatsConnection } from "@nats-io/transport-node";
import {
  POOLS,
  ensureAttemptsBucket,
  ensureEventStream,
  ensurePoolStream,
  ensureResultConsumer,
  ensureResultStream,
  type PoolName,
} from "@toolmesh/core";

/**
 * Creates (or checks) every stream, consumer and bucket the coordinator
 * uses, before it touches any of them. Returns the pools whose streams now exist.
 */
export async function bootstrapStreams(
  nc: NatsConnection,
  resultAckWaitMs: number,
): Promise<{ jsm: JetStreamManager; ensuredPools: Set<PoolName> }> {
  const jsm = await jetstreamManager(nc);
  await ensureEventStream(jsm);
  await ensureResultStream(jsm);
  await ensureResultConsumer(jsm, resultAckWaitMs);
  await ensureAttemptsBucket(nc);
  const ensuredPools = new Set<PoolName>();
  for (const pool of Object.keys(POOLS) as PoolName[]) {
    await ensurePoolStream(jsm, pool);
    ensuredPools.add(pool);
  }
  return { jsm, ensuredPools };
}
