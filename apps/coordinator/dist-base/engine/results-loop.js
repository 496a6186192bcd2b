import { setTimeout as sleep } from "node:timers/promises";
/**
 * Keeps the results loop alive. A loop that ends while the engine still
 * leads is restarted in-process with backoff rather than exiting: the
 * coordinator still holds its workflows and lease, and unacked results wait
 * in TM_RESULTS, so reopening the consumer loses nothing, whereas a process
 * exit would force a failover and a full resume for a transient hiccup.
 */
export async function superviseLoop(options) {
    const { initialBackoffMs = 250, maxBackoffMs = 10_000, signal } = options;
    const wait = options.sleep ?? ((ms) => sleep(ms, undefined, { signal }).catch(() => undefined));
    let failures = 0;
    let source = options.first;
    while (!options.stopping()) {
        let err;
        try {
            if (!source)
                source = await options.open();
            for await (const item of source) {
                failures = 0;
                options.handle(item);
            }
        }
        catch (e) {
            err = e;
        }
        source = undefined;
        if (options.stopping())
            return;
        failures++;
        const delay = Math.min(maxBackoffMs, initialBackoffMs * 2 ** (failures - 1));
        options.log.error({ err, failures, restartInMs: delay }, "results loop ended while leading; restarting it");
        await wait(delay);
    }
}
//# sourceMappingURL=results-loop.js.map