import { jetstream, type ConsumerMessages, type JetStreamManager, type JsMsg } from "@nats-io/jetstream";
import type { NatsConnection } from "@nats-io/transport-node";
import { Streams, ensureResultConsumer, type Logger } from "@toolmesh/core";
import { recreateWhenMissing } from "../results-consumer.js";
import { superviseLoop } from "./results-loop.js";

/** One durable consumer on TM_RESULTS: its name, filter, and how long it outlives its last user (none: kept). */
export interface ResultConsumerSpec {
  name: string;
  filter: string;
  inactiveMs?: number;
}

interface Open {
  abort: AbortController;
  messages?: ConsumerMessages;
  loop: Promise<void>;
}

/**
 * The coordinator's consumers of TM_RESULTS, opened and closed as it gains
 * and loses partitions: each is a supervised loop (reopened with backoff if
 * it ends) handing results to `handle` until it is closed.
 */
export class ResultConsumers {
  readonly #open = new Map<string, Open>();

  constructor(
    private readonly deps: {
      nc: NatsConnection;
      jsm: JetStreamManager;
      ackWaitMs: number;
      log: Logger;
      handle(msg: JsMsg): void;
    },
  ) {}

  /** Makes the consumer if need be and starts taking its results; a failure to open it at all reaches the caller. */
  async open(spec: ResultConsumerSpec): Promise<void> {
    if (this.#open.has(spec.name)) return;
    const entry: Open = { abort: new AbortController(), loop: Promise.resolve() };
    this.#open.set(spec.name, entry);
    const openOnce = async (): Promise<ConsumerMessages> => {
      const ensure = (): Promise<void> => ensureResultConsumer(this.deps.jsm, this.deps.ackWaitMs, spec);
      await ensure();
      const consumer = await jetstream(this.deps.nc).consumers.get(Streams.results, spec.name);
      const messages = await consumer.consume({ max_messages: 1000 });
      entry.messages = messages;
      // Closed between the two awaits above: close what was just opened.
      if (entry.abort.signal.aborted) await messages.close();
      void recreateWhenMissing(messages, ensure, this.deps.log);
      return messages;
    };
    let first: ConsumerMessages;
    try {
      first = await openOnce();
    } catch (err) {
      this.#open.delete(spec.name);
      throw err;
    }
    entry.loop = superviseLoop<JsMsg>({
      first,
      open: openOnce,
      handle: (msg) => this.deps.handle(msg),
      stopping: () => entry.abort.signal.aborted,
      log: this.deps.log,
      signal: entry.abort.signal,
    }).catch((err: unknown) => this.deps.log.error({ err, consumer: spec.name }, "results loop supervisor failed"));
  }

  /** Stops taking results at once; unacked ones go to the next user of the consumer after its ack wait. */
  async close(name: string): Promise<void> {
    const entry = this.#open.get(name);
    if (!entry) return;
    this.#open.delete(name);
    entry.abort.abort();
    await entry.messages?.close().catch(() => undefined);
    await entry.loop;
  }

  async closeAll(): Promise<void> {
    await Promise.all([...this.#open.keys()].map((name) => this.close(name)));
  }
}
