import type { ConsumerMessages } from "@nats-io/jetstream";
import type { Logger } from "@toolmesh/core";

/**
 * consume() survives a nats-server restart by itself (on reconnect it checks
 * the consumer and pulls again) but, when the consumer is gone (a server that
 * lost its store), it only keeps reporting "consumer_not_found": make the
 * consumer again then, and the consume loop finds it on its next check.
 */
export async function recreateWhenMissing(messages: ConsumerMessages, ensure: () => Promise<void>, log: Logger): Promise<void> {
  for await (const status of messages.status()) {
    if (status.type !== "consumer_not_found" && status.type !== "stream_not_found") continue;
    log.warn({ status: status.type }, "results consumer missing after a server restart; making it again");
    await ensure().catch((err: unknown) => log.warn({ err }, "could not make the results consumer again"));
  }
}
