import { Consumers, LiveSnapshots, Streams, isPoolName, knownPools, poolDefinition, } from "@toolmesh/core";
/**
 * Pool capacity as the metrics bus reports it: the latest snapshot of every
 * live instance (silent ones drop out after `staleMs`), plus each pool's
 * queue depth read from its JetStream consumer.
 */
export class CapacityView {
    #snapshots;
    constructor(staleMs) {
        this.#snapshots = new LiveSnapshots(staleMs);
    }
    start(nc) {
        this.#snapshots.start(nc);
    }
    stop() {
        this.#snapshots.stop();
    }
    live() {
        return this.#snapshots.live();
    }
    async pools(jsm) {
        const live = this.live();
        const result = [];
        // Native pools, run-time (MCP) pools from the catalog, and any other pool an instance reports.
        const pools = new Set([...knownPools(), ...live.flatMap((s) => (s.pool && isPoolName(s.pool) ? [s.pool] : []))]);
        for (const pool of pools) {
            const instances = live.filter((s) => s.pool === pool && !s.draining);
            const queueDepth = await queueDepthOf(jsm, pool);
            if (instances.length === 0 && queueDepth === 0)
                continue;
            result.push({
                pool,
                limit: sum(instances.map((s) => s.limit)),
                minLimit: poolDefinition(pool).minLimit,
                maxLimit: poolDefinition(pool).maxLimit,
                inFlight: sum(instances.map((s) => s.inFlight)),
                queueDepth,
                instances: instances.length,
                tools: [...new Set(instances.flatMap((s) => s.tools))].sort(),
            });
        }
        return result;
    }
}
async function queueDepthOf(jsm, pool) {
    try {
        return (await jsm.consumers.info(Streams.tasks(pool), Consumers.poolWorkers)).num_pending;
    }
    catch {
        // No worker has ever attached: everything in the stream is waiting.
        return (await jsm.streams.info(Streams.tasks(pool)).catch(() => undefined))?.state.messages ?? 0;
    }
}
function sum(values) {
    return values.reduce((a, b) => a + b, 0);
}
//# sourceMappingURL=capacity.js.map