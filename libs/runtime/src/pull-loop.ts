import type { ConsumerMessages, ConsumerNotification, FetchOptions, JsMsg } from "@nats-io/jetstream";
import type { Logger } from "@toolmesh/core";
import { setTimeout as sleep } from "node:timers/promises";
import type { ConcurrencyLimiter } from "./limiter.js";

/**
 * Exponential backoff for pull failures: a server restart fails every pull
 * until it is back, and a fixed short retry would only add load while it
 * comes up. The cap stays low because recovery time after a restart is
 * bounded by it.
 */
export class Backoff {
  private failures = 0;
  constructor(
    readonly baseMs = 500,
    readonly capMs = 2000,
  ) {}
  get attempts(): number {
    return this.failures;
  }
  /** The next wait: base·2^n up to the cap, then jittered down by up to a quarter so workers do not retry in step. */
  next(random: () => number = Math.random): number {
    const raw = Math.min(this.capMs, this.baseMs * 2 ** this.failures);
    this.failures += 1;
    return Math.round(raw * (1 - 0.25 * random()));
  }
  reset(): void {
    this.failures = 0;
  }
}

/** The server's view of the pull as it goes: these tell a lost consumer or stream apart from a quiet queue. */
const WARN_ON: ReadonlySet<ConsumerNotification["type"]> = new Set([
  "heartbeats_missed",
  "consumer_not_found",
  "stream_not_found",
  "consumer_deleted",
  "no_responders",
  "exceeded_limits",
]);

export interface PullSource {
  fetch(opts?: FetchOptions): Promise<ConsumerMessages>;
}

export interface PullLoopOptions {
  source: PullSource;
  limiter: ConcurrencyLimiter;
  expiresMs: number;
  log: Logger;
  /** Called with each message once a slot is taken for it. */
  onMessage: (msg: JsMsg) => void;
  /** Asked for, got: the window recorder's view of demand. */
  onPulled: (asked: number, got: number) => void;
  /** Runs after a failed pull: after a nats-server restart the consumer may be gone with its store. */
  recover: () => Promise<void>;
  /** Each consumer notification, e.g. to count it in a metric. */
  onNotification?: (note: ConsumerNotification) => void;
  backoff?: Backoff;
  wait?: (ms: number) => Promise<unknown>;
  /** The smallest pull while another is open, for a limit (default defaultRefillAt). */
  refillAt?: (limit: number) => number;
}

/** The smallest pull made while another is still open: a quarter of the limit. */
export const defaultRefillAt = (limit: number): number => Math.max(1, Math.ceil(limit / 4));

/**
 * Pulls as the concurrency limit allows: the messages asked for by open
 * pulls never exceed the free slots, so a worker never holds messages it
 * cannot start. One pull request per finished task would cost a socket
 * write and a server round per call under load, so slots freed in one turn
 * of the event loop are asked for in one pull, and while a pull is open a
 * new one waits until it can ask for a quarter of the limit.
 */
export class PullLoop {
  private running = false;
  /** A failed pull is waiting out its backoff; no pull starts meanwhile. */
  private backingOff = false;
  /** Messages asked for by open pulls and not yet delivered. */
  private outstanding = 0;
  private readonly open = new Set<Promise<void>>();
  private stopWatching?: () => void;
  private pullScheduled = false;
  private readonly backoff: Backoff;
  private readonly wait: (ms: number) => Promise<unknown>;
  private readonly refillAt: (limit: number) => number;
  /** Consumer notifications seen, by type: exposed so operators and tests can see a flapping consumer. */
  readonly notifications = new Map<ConsumerNotification["type"], number>();

  constructor(private readonly options: PullLoopOptions) {
    this.backoff = options.backoff ?? new Backoff();
    this.wait = options.wait ?? sleep;
    this.refillAt = options.refillAt ?? defaultRefillAt;
  }

  get active(): boolean {
    return this.running;
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.stopWatching = this.options.limiter.onChange(() => this.schedulePull());
    this.maybePull();
  }

  /** Stops asking for work; resolves when the open pulls are over. */
  async stop(): Promise<void> {
    this.running = false;
    this.stopWatching?.();
    while (this.open.size > 0) await Promise.allSettled([...this.open]);
  }

  /** A pull at the end of this turn, for every slot freed in it. */
  private schedulePull(): void {
    if (this.pullScheduled || !this.running) return;
    this.pullScheduled = true;
    setImmediate(() => {
      this.pullScheduled = false;
      this.maybePull();
    });
  }

  /** Starts a pull for the free slots not yet asked for, when there are enough of them. */
  private maybePull(): void {
    if (!this.running || this.backingOff) return;
    const { limiter } = this.options;
    const want = limiter.free - this.outstanding;
    // Never ask for 0: a pull for 0 messages gets the client's default batch.
    if (want <= 0 || (this.outstanding > 0 && want < this.refillAt(limiter.limit))) return;
    const pull = this.pull(want);
    this.open.add(pull);
    void pull.finally(() => this.open.delete(pull));
  }

  private async pull(asked: number): Promise<void> {
    const { limiter, source, expiresMs, log } = this.options;
    this.outstanding += asked;
    let got = 0;
    try {
      const batch = await source.fetch({ max_messages: asked, expires: expiresMs });
      void this.watch(batch);
      for await (const msg of batch) {
        got += 1;
        this.outstanding -= 1;
        // The pull can still deliver after drain began: hand those back at
        // once rather than leave them waiting out the ack wait.
        if (!this.running) {
          msg.nak();
          continue;
        }
        limiter.take();
        this.options.onMessage(msg);
      }
      this.options.onPulled(asked, got);
      this.backoff.reset();
    } catch (err) {
      if (!this.running || this.backingOff) return;
      this.backingOff = true;
      const waitMs = this.backoff.next();
      log.warn({ err, retryInMs: waitMs, failures: this.backoff.attempts }, "pull failed; retrying");
      await this.wait(waitMs);
      await this.options.recover().catch((ensureErr: unknown) => log.debug({ err: ensureErr }, "pool consumer not ensured yet"));
      this.backingOff = false;
    } finally {
      this.outstanding -= asked - got;
    }
    this.maybePull();
  }

  private async watch(batch: ConsumerMessages): Promise<void> {
    try {
      for await (const note of batch.status()) this.notice(note);
    } catch (err) {
      this.options.log.debug({ err }, "consumer status stream ended");
    }
  }

  notice(note: ConsumerNotification): void {
    this.notifications.set(note.type, (this.notifications.get(note.type) ?? 0) + 1);
    this.options.onNotification?.(note);
    if (WARN_ON.has(note.type)) this.options.log.warn({ notification: note }, "pool consumer notification");
    else this.options.log.debug({ notification: note }, "pool consumer notification");
  }
}
