import { JetStreamApiError, JetStreamError, type JetStreamPublishOptions, type PubAck } from "@nats-io/jetstream";
import { TimeoutError, createInbox, headers, type Msg, type NatsConnection, type Subscription } from "@nats-io/transport-node";

interface Waiting {
  resolve: (ack: PubAck) => void;
  reject: (err: unknown) => void;
  untilMs: number;
}

/** How often acks that never came are given up on. */
const SWEEP_MS = 250;

/**
 * JetStream publishes whose acks come back on one subscription of this
 * connection's inbox. nats.js's `js.publish` is a request: per call it makes
 * a timer, an Error for the stack it would report and, once the ack is in,
 * another Error it throws away; at thousands of publishes a second that was
 * ~5 % of a coordinator. Same wire, same acks: the message with its
 * `Nats-Msg-Id`, a reply subject, and the stream's PubAck (or its API error)
 * back; an ack that does not come within the timeout is a TimeoutError (the
 * caller retries: the message id makes that safe). Takes
 * `JetStreamClient.publish`'s place for publishUntilStored; of its options
 * it knows `msgID`, `headers` and `timeout` (others are refused).
 */
export class PubAckPublisher {
  readonly #nc: NatsConnection;
  readonly #prefix: string;
  readonly #waiting = new Map<string, Waiting>();
  readonly #sub: Subscription;
  readonly #timer: NodeJS.Timeout;
  #next = 0;
  #closed = false;

  /** `inboxPrefix`: the connection's (a role may read only its own inbox). */
  constructor(nc: NatsConnection, inboxPrefix?: string) {
    this.#nc = nc;
    this.#prefix = `${createInbox(inboxPrefix)}.`;
    this.#sub = nc.subscribe(`${this.#prefix}*`, { callback: (err, msg) => (err ? undefined : this.#onAck(msg)) });
    this.#timer = setInterval(() => this.#sweep(), SWEEP_MS);
    this.#timer.unref();
  }

  publish(subject: string, payload: Uint8Array, options: Partial<JetStreamPublishOptions> = {}): Promise<PubAck> {
    if (this.#closed) return Promise.reject(new JetStreamError("the publisher is closed"));
    const unknown = Object.keys(options).filter((key) => key !== "msgID" && key !== "headers" && key !== "timeout");
    if (unknown.length > 0) return Promise.reject(new JetStreamError(`PubAckPublisher does not take ${unknown.join(", ")}`));
    const hdrs = options.headers ?? (options.msgID ? headers() : undefined);
    if (options.msgID) hdrs!.set("Nats-Msg-Id", options.msgID);
    const token = String(this.#next++);
    return new Promise<PubAck>((resolve, reject) => {
      this.#waiting.set(token, { resolve, reject, untilMs: Date.now() + (options.timeout ?? 5000) });
      try {
        this.#nc.publish(subject, payload, { reply: `${this.#prefix}${token}`, ...(hdrs ? { headers: hdrs } : {}) });
      } catch (err) {
        this.#waiting.delete(token);
        reject(err);
      }
    });
  }

  close(): void {
    this.#closed = true;
    clearInterval(this.#timer);
    this.#sub.unsubscribe();
    for (const waiting of this.#waiting.values()) waiting.reject(new JetStreamError("the publisher closed before the ack came"));
    this.#waiting.clear();
  }

  #onAck(msg: Msg): void {
    const token = msg.subject.slice(this.#prefix.length);
    const waiting = this.#waiting.get(token);
    if (!waiting) return;
    this.#waiting.delete(token);
    if (msg.data.length === 0) {
      // A status (503: no stream listens on the subject), not an ack.
      waiting.reject(new JetStreamError(`no ack: ${msg.headers?.code ?? "?"} ${msg.headers?.description ?? ""}`.trim()));
      return;
    }
    try {
      const ack = msg.json<PubAck & { error?: ConstructorParameters<typeof JetStreamApiError>[0] }>();
      if (ack.error) waiting.reject(new JetStreamApiError(ack.error));
      else if (!ack.stream) waiting.reject(new JetStreamError("invalid ack response"));
      else
        waiting.resolve({
          stream: ack.stream,
          seq: ack.seq,
          duplicate: ack.duplicate ?? false,
          ...(ack.domain ? { domain: ack.domain } : {}),
        });
    } catch (err) {
      waiting.reject(err);
    }
  }

  #sweep(): void {
    const now = Date.now();
    for (const [token, waiting] of this.#waiting) {
      if (waiting.untilMs > now) continue;
      this.#waiting.delete(token);
      waiting.reject(new TimeoutError());
    }
  }
}
