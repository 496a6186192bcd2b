import { jetstreamManager } from "@nats-io/jetstream";
import { POOLS, ensureAttemptsBucket, ensureEventStream, ensurePoolStream, ensureResultConsumer, ensureResultStream, } from "@toolmesh/core";
/**
 * Creates (or checks) every stream, consumer and bucket the coordinator
 * uses, before it touches any of them. Returns the pools whose streams now exist.
 */
export async function bootstrapStreams(nc, resultAckWaitMs) {
    const jsm = await jetstreamManager(nc);
    await ensureEventStream(jsm);
    await ensureResultStream(jsm);
    await ensureResultConsumer(jsm, resultAckWaitMs);
    await ensureAttemptsBucket(nc);
    const ensuredPools = new Set();
    for (const pool of Object.keys(POOLS)) {
        await ensurePoolStream(jsm, pool);
        ensuredPools.add(pool);
    }
    return { jsm, ensuredPools };
}
//# sourceMappingURL=stream-bootstrap.js.map