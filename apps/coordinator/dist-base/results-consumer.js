/**
 * consume() survives a nats-server restart by itself (on reconnect it checks
 * the consumer and pulls again) but, when the consumer is gone (a server that
 * lost its store), it only keeps reporting "consumer_not_found": make the
 * consumer again then, and the consume loop finds it on its next check.
 */
export async function recreateWhenMissing(messages, ensure, log) {
    for await (const status of messages.status()) {
        if (status.type !== "consumer_not_found" && status.type !== "stream_not_found")
            continue;
        log.warn({ status: status.type }, "results consumer missing after a server restart; making it again");
        await ensure().catch((err) => log.warn({ err }, "could not make the results consumer again"));
    }
}
//# sourceMappingURL=results-consumer.js.map