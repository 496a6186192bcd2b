import { status } from "@grpc/grpc-js";
import { RequestError, type Msg, type NatsConnection, type Subscription } from "@nats-io/transport-node";
import { context } from "@opentelemetry/api";
import {
  Bus,
  Subjects,
  decodeJson,
  encodeJson,
  getOutput,
  maxPayloadOf,
  putOutput,
  startProcessSpan,
  startPublishSpan,
  type Logger,
  type ObjectStore,
} from "@toolmesh/core";
import { randomUUID } from "node:crypto";
import { setTimeout as sleep } from "node:timers/promises";
import { NotOwnerError } from "../partition/workflow-ids.js";
import { serviceError, toServiceError } from "./status.js";

/** The calls a partition's owner answers for other coordinators. */
export type RoutedOp = "submit" | "get" | "cancel" | "cancelTask" | "output" | "watch";

export type LocalHandlers = Record<RoutedOp, (body: Record<string, unknown>) => Promise<unknown>>;

/** On the bus: the body itself, or, when it would not fit a message, where it was put in TM_OUTPUTS. */
type Envelope = { body: unknown; ref?: undefined } | { ref: { name: string; bytes: number }; body?: undefined };
/** A coordinator's answer to ListWorkflows' fan-out: its workflows and the partitions it owns. */
type ListAnswer = { partitions: number[]; workflows: unknown[] };
type Reply = { ok: Envelope; error?: undefined } | { error: { code: number; details: string }; ok?: undefined };

export interface RouterOptions {
  nc: NatsConnection;
  outputs: ObjectStore;
  log: Logger;
  /** Whether this coordinator owns a partition now. */
  owns(partition: number): boolean;
  local: LocalHandlers;
  /** The workflows this coordinator holds, newest first (for ListWorkflows' fan-out). */
  list(limit: number): unknown[];
  /** How many partitions there are: ListWorkflows waits until the answers cover them all. */
  partitions: number;
  /** How long a routed call keeps trying while a partition changes hands (no owner answers yet). */
  handoverMs: number;
}

const REQUEST_TIMEOUT_MS = 30_000;
/** Room in a message for the envelope around a body. */
const ENVELOPE_ROOM = 4096;

/**
 * Routes a workflow's calls to the coordinator that owns its partition, by
 * NATS request/reply on tm.cmd.coordinator.p<n>, which only the owner
 * subscribes to (docs/architecture.md "Routing"). A call for a partition of
 * this coordinator runs here without a hop.
 */
export class Router {
  readonly #opts: RouterOptions;
  readonly #served = new Map<number, Subscription>();
  #list?: Subscription;

  constructor(options: RouterOptions) {
    this.#opts = options;
  }

  /** Answers ListWorkflows' fan-out; partitions' subscriptions come and go with serve/unserve. */
  start(): void {
    this.#list = this.#opts.nc.subscribe(Subjects.coordinatorList, {
      callback: (err, msg) => {
        if (err) return;
        void this.#answer(msg, async (body): Promise<ListAnswer> => ({
          partitions: [...this.#served.keys()],
          workflows: this.#opts.list(Number(body.limit) || 100),
        }));
      },
    });
  }

  serve(partitions: number[]): void {
    for (const p of partitions) {
      if (this.#served.has(p)) continue;
      const sub = this.#opts.nc.subscribe(Subjects.coordinatorPartition(p), {
        callback: (err, msg) => {
          if (err) return;
          // The caller's trace goes on here (a workflow submitted through another coordinator stays in it).
          const { span, ctx } = startProcessSpan({ subject: msg.subject, template: PARTITION_TEMPLATE }, msg.headers);
          void context
            .with(ctx, () =>
              this.#answer(msg, (body) => {
                const handler = this.#opts.local[body.op as RoutedOp] as LocalHandlers[RoutedOp] | undefined;
                if (!handler) throw serviceError(status.UNIMPLEMENTED, `no routed call "${String(body.op)}"`);
                return handler(body);
              }),
            )
            .finally(() => span.end());
        },
      });
      this.#served.set(p, sub);
    }
  }

  /** Stops answering for partitions at once; calls in flight there get UNAVAILABLE and are retried by their senders. */
  unserve(partitions: number[]): void {
    for (const p of partitions) {
      this.#served.get(p)?.unsubscribe();
      this.#served.delete(p);
    }
  }

  close(): void {
    this.unserve([...this.#served.keys()]);
    this.#list?.unsubscribe();
  }

  /**
   * Runs `op` where the partition's owner is: here, or at the owner over the
   * bus. While the partition changes hands (no one answers, or the one that
   * did no longer owns it) it tries again, up to the hand-over time.
   */
  async call<T>(partition: number, op: RoutedOp, body: Record<string, unknown>): Promise<T> {
    const until = Date.now() + this.#opts.handoverMs;
    for (let delay = 50; ; delay = Math.min(delay * 2, 500)) {
      try {
        if (this.#opts.owns(partition)) return (await this.#opts.local[op](body)) as T;
        return await this.#remote<T>(partition, op, body);
      } catch (err) {
        const moving = err instanceof NotOwnerError || isNoOwner(err);
        if (!moving) throw err;
        if (Date.now() >= until)
          throw serviceError(
            status.UNAVAILABLE,
            `no coordinator owns partition ${String(partition)} yet (it is changing hands): retry in a moment`,
          );
        await sleep(delay);
      }
    }
  }

  /**
   * Every live coordinator's workflows, merged newest first. Answers are
   * gathered until their owners' partitions cover every partition — not a
   * count of members, which a coordinator that has just started does not
   * know yet; while a partition has no owner it waits no longer than maxWait.
   */
  async list<T extends { createdAtMs: number }>(limit: number): Promise<T[]> {
    const replies = await this.#opts.nc.requestMany(Subjects.coordinatorList, encodeJson({ body: { limit } } satisfies Envelope), {
      strategy: "timer",
      maxWait: 2000,
    });
    const covered = new Set<number>();
    const all: T[] = [];
    for await (const msg of replies) {
      const reply = decodeJson<Reply>(msg.data);
      if (!reply.ok) continue;
      const answer = (await this.#unwrap(reply.ok)) as ListAnswer;
      all.push(...(answer.workflows as T[]));
      for (const p of answer.partitions) covered.add(p);
      if (covered.size >= this.#opts.partitions) break;
    }
    return all.sort((a, b) => b.createdAtMs - a.createdAtMs).slice(0, limit);
  }

  async #remote<T>(partition: number, op: RoutedOp, body: Record<string, unknown>): Promise<T> {
    const data = await this.#wrap({ ...body, op }, `request-${op}`);
    let msg: Msg;
    const subject = Subjects.coordinatorPartition(partition);
    const payload = encodeJson(data);
    const publish = startPublishSpan({ subject, template: PARTITION_TEMPLATE }, context.active(), payload.length);
    try {
      msg = await this.#opts.nc.request(subject, payload, { timeout: REQUEST_TIMEOUT_MS, headers: publish.headers });
      publish.end();
    } catch (err) {
      publish.end(err);
      if (isNoOwner(err)) throw err;
      // A timeout or a connection problem: the call's outcome is unknown to us, so it is not tried again here.
      throw serviceError(status.UNAVAILABLE, `the coordinator that owns partition ${String(partition)} did not answer: ${String(err)}`);
    }
    const reply = decodeJson<Reply>(msg.data);
    if (reply.error) {
      if (reply.error.code === NOT_OWNER) throw new NotOwnerError(partition);
      throw serviceError(reply.error.code, reply.error.details);
    }
    return (await this.#unwrap(reply.ok)) as T;
  }

  async #answer(msg: Msg, handle: (body: Record<string, unknown>) => Promise<unknown>): Promise<void> {
    let reply: Reply;
    try {
      const body = (await this.#unwrap(decodeJson<Envelope>(msg.data))) as Record<string, unknown>;
      reply = { ok: await this.#wrap(await handle(body), "reply") };
    } catch (err) {
      if (err instanceof NotOwnerError) reply = { error: { code: NOT_OWNER, details: err.message } };
      else {
        const error = toServiceError(err);
        reply = { error: { code: error.code, details: error.details } };
      }
    }
    try {
      msg.respond(encodeJson(reply));
    } catch (err) {
      this.#opts.log.warn({ err, subject: msg.subject }, "could not answer a routed call");
    }
  }

  /** A body as it goes on the bus: inline, or in TM_OUTPUTS when too large for a message. */
  async #wrap(body: unknown, what: string): Promise<Envelope> {
    const bytes = encodeJson({ body }).length;
    if (bytes + ENVELOPE_ROOM <= maxPayloadOf(this.#opts.nc)) return { body };
    const ref = await putOutput(this.#opts.outputs, `routed/${what}/${randomUUID()}`, { body });
    return { ref };
  }

  async #unwrap(envelope: Envelope): Promise<unknown> {
    if (!envelope.ref) return envelope.body;
    return (await getOutput(this.#opts.outputs, envelope.ref)).body;
  }
}

/** The span name of a partition's request subject. */
const PARTITION_TEMPLATE = `${Bus.command}.coordinator.p{partition}`;

/** The reply code of "not the owner (any more)": the sender tries again. */
const NOT_OWNER = -1;

/** No one subscribes to the partition's subject: no owner yet. */
function isNoOwner(err: unknown): boolean {
  return err instanceof RequestError && err.isNoResponders();
}
