import { JetStreamApiCodes, type JetStreamManager } from "@nats-io/jetstream";
import { Consumers, Streams, isJetStreamApiError, type PoolName } from "@toolmesh/core";

export type QueueState =
  { pending: number; ackPending: number } | { error: string; reason: "stream-missing" | "consumer-missing" | "jetstream" };

/**
 * A pool's work queue as its shared consumer sees it: waiting (num_pending)
 * and delivered but not yet acked (num_ack_pending). Before the pool's first
 * worker has created the consumer (a pool scaled to zero), every message in
 * the work-queue stream is waiting work: that is what starts the first
 * worker. A missing stream is reported as an error, never read as an empty
 * or a full queue.
 */
export async function readQueueState(jsm: JetStreamManager, pool: PoolName): Promise<QueueState> {
  try {
    const info = await jsm.consumers.info(Streams.tasks(pool), Consumers.poolWorkers);
    return { pending: info.num_pending, ackPending: info.num_ack_pending };
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    if (isJetStreamApiError(err, JetStreamApiCodes.StreamNotFound))
      return { error: `stream ${Streams.tasks(pool)} not found`, reason: "stream-missing" };
    if (isJetStreamApiError(err, JetStreamApiCodes.ConsumerNotFound)) return streamBacklog(jsm, pool);
    return { error: message, reason: "jetstream" };
  }
}

/** A work-queue stream without its consumer: its messages are the backlog, none delivered yet. */
async function streamBacklog(jsm: JetStreamManager, pool: PoolName): Promise<QueueState> {
  try {
    const info = await jsm.streams.info(Streams.tasks(pool));
    return { pending: info.state.messages, ackPending: 0 };
  } catch (err) {
    return {
      error: `consumer ${Consumers.poolWorkers} on ${Streams.tasks(pool)} not found, and the stream could not be read: ${err instanceof Error ? err.message : String(err)}`,
      reason: "consumer-missing",
    };
  }
}
