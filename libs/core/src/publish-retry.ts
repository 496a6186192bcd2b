import type { JetStreamClient, JetStreamPublishOptions, PubAck } from "@nats-io/jetstream";
import { InvalidArgumentError } from "@nats-io/transport-node";
import { setTimeout as sleep } from "node:timers/promises";
import type { Logger } from "./logger.js";
import { PUBLISH_RETRY } from "./wire-limits.js";

/** What publishUntilStored publishes with: a JetStreamClient, or a PubAckPublisher (pub-acks.ts). */
export interface StreamPublisher {
  publish(subject: string, payload: Uint8Array, options: Partial<JetStreamPublishOptions>): Promise<PubAck>;
}

export interface PublishRetryOptions {
  log: Logger;
  /** Checked before each new try: false gives up with the last error (the message is no longer wanted). */
  stillWanted?: () => boolean;
  /** How long one try waits for the stream's ack (PUBLISH_RETRY): a try sent while the server was down only times out. */
  tryTimeoutMs?: number;
  /** Backoff between tries: doubles from firstDelayMs up to maxDelayMs. */
  firstDelayMs?: number;
  maxDelayMs?: number;
}

/**
 * A JetStream publish retried with backoff until the stream has stored it:
 * while nats-server restarts, a publish fails (no responders, timeout, a
 * closed request) and a finished result or a dispatched attempt must not be
 * dropped for that. Pass a `msgID` so a try that was stored although its ack
 * was lost is dropped by the stream's duplicate window (DUPLICATE_WINDOW_MS,
 * libs/core/src/wire-limits.ts). Only a message that can never be accepted
 * (larger than max_payload) fails at once.
 */
export async function publishUntilStored(
  js: StreamPublisher | JetStreamClient,
  subject: string,
  payload: Uint8Array,
  options: Partial<JetStreamPublishOptions>,
  retry: PublishRetryOptions,
): Promise<PubAck> {
  let delay = retry.firstDelayMs ?? PUBLISH_RETRY.firstDelayMs;
  for (let tries = 1; ; tries += 1) {
    try {
      // The publishes of one loop turn share a socket write (batchNatsWrites).
      return await js.publish(subject, payload, { timeout: retry.tryTimeoutMs ?? PUBLISH_RETRY.tryTimeoutMs, ...options });
    } catch (err) {
      if (err instanceof InvalidArgumentError || (retry.stillWanted && !retry.stillWanted())) throw err;
      // One line per outage, not per try.
      if (tries === 1) retry.log.warn({ err, subject, msgID: options.msgID }, "publish not stored; retrying until it is");
      await sleep(delay);
      delay = Math.min(delay * 2, retry.maxDelayMs ?? PUBLISH_RETRY.maxDelayMs);
    }
  }
}
