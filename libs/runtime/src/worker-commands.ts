import type { Msg, NatsConnection, Subscription } from "@nats-io/transport-node";
import {
  Subjects,
  decodeJson,
  encodeJson,
  type CancelCommand,
  type CommandReply,
  type Logger,
  type PoolName,
  type SetLimitCommand,
} from "@toolmesh/core";
import type { AdaptiveController } from "./adaptive.js";
import type { RunningTasks } from "./cancellations.js";
import type { ConcurrencyLimiter } from "./limiter.js";

/** What the command handlers act on: kept narrow so they can be driven without NATS. */
export interface CommandTarget {
  readonly instanceId: string;
  readonly service: string;
  readonly pool: PoolName;
  readonly maxLimit: number;
  readonly limiter: ConcurrencyLimiter;
  readonly running: RunningTasks;
  readonly adaptive: AdaptiveController | undefined;
  readonly log: Logger;
  readonly draining: () => boolean;
  readonly status: (() => string) | undefined;
  readonly onLimit: (limit: number) => void;
  readonly drain: () => Promise<void>;
}

export interface CommandReplyBody {
  ok: boolean;
  detail?: string;
}

const answer = (ok: boolean, detail?: string): CommandReplyBody => (detail ? { ok, detail } : { ok });

export function handleCancel(target: CommandTarget, command: CancelCommand): number {
  const aborted = target.running.cancel(command);
  if (aborted > 0) target.log.info({ ...command, aborted }, "cancelled running tasks");
  return aborted;
}

export function handleSetLimit(target: CommandTarget, command: SetLimitCommand): CommandReplyBody {
  const { limit, adaptive: resume } = command;
  if (resume && target.adaptive) {
    target.adaptive.unpin();
    target.log.info("adaptive concurrency resumed");
    return answer(true, `limit=${target.limiter.limit} adaptive`);
  }
  if (!Number.isInteger(limit) || limit < 1) return answer(false, `limit must be a whole number >= 1, got ${String(limit)}`);
  const applied = Math.min(limit, target.maxLimit);
  // An operator's limit holds: adaptation waits until asked back ({adaptive: true}).
  target.adaptive?.pin();
  target.limiter.setLimit(applied);
  target.onLimit(applied);
  target.log.info({ requested: limit, applied }, "concurrency limit changed");
  return answer(true, `limit=${applied}`);
}

export function handlePing(target: CommandTarget): CommandReplyBody {
  const state = target.draining() ? "draining" : `limit=${target.limiter.limit} inFlight=${target.limiter.inFlight}`;
  return answer(true, target.status ? `${target.status()} ${state}` : state);
}

export function encodeReply(target: CommandTarget, body: CommandReplyBody): Uint8Array {
  return encodeJson({ instanceId: target.instanceId, service: target.service, pool: target.pool, ...body } satisfies CommandReply);
}

/** Subscribes the handlers to the command bus; the caller unsubscribes them when it stops. */
export function subscribeCommands(nc: NatsConnection, target: CommandTarget): Subscription[] {
  const on = (subject: string, handle: (msg: Msg) => void): Subscription =>
    nc.subscribe(subject, {
      callback: (err, msg) => {
        if (!err) handle(msg);
      },
    });
  return [
    on(Subjects.cancel, (msg) => void handleCancel(target, decodeJson<CancelCommand>(msg.data))),
    on(Subjects.setLimit(target.pool), (msg) =>
      msg.respond(encodeReply(target, handleSetLimit(target, decodeJson<SetLimitCommand>(msg.data)))),
    ),
    on(Subjects.drain(target.pool), (msg) => void target.drain().then(() => msg.respond(encodeReply(target, answer(true, "drained"))))),
    on(Subjects.ping, (msg) => msg.respond(encodeReply(target, handlePing(target)))),
  ];
}
