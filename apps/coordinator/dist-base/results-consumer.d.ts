import type { ConsumerMessages } from "@nats-io/jetstream";
import type { Logger } from "@toolmesh/core";
/**
 * consume() survives a nats-server restart by itself (on reconnect it checks
 * the consumer and pulls again) but, when the consumer is gone (a server that
 * lost its store), it only keeps reporting "consumer_not_found": make the
 * consumer again then, and the consume loop finds it on its next check.
 */
export declare function recreateWhenMissing(messages: ConsumerMessages, ensure: () => Promise<void>, log: Logger): Promise<void>;
