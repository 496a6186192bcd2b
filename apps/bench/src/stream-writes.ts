import { jetstreamManager, type JetStreamManager } from "@nats-io/jetstream";
import type { NatsConnection } from "@nats-io/transport-node";

/**
 * A reader of the last sequence of every stream whose name `belongs`: the
 * number of messages ever written to it, so the difference over a window
 * is what the window wrote (deletions and work-queue acks do not lower it).
 * Streams are listed at each reading, so one created meanwhile (or by a
 * newer service version) is counted too.
 */
export function streamWriteCounter(
  nc: NatsConnection,
  belongs: (stream: string) => boolean,
): () => Promise<Record<string, number | undefined>> {
  let jsm: JetStreamManager | undefined;
  return async () => {
    jsm ??= await jetstreamManager(nc);
    const out: Record<string, number | undefined> = {};
    for await (const info of jsm.streams.list()) {
      if (belongs(info.config.name)) out[info.config.name] = info.state.last_seq;
    }
    return out;
  };
}

/** toolmesh's streams: TM_* (tasks, results, events), KV_TM_* (workflow state, limits, …) and OBJ_TM_* (large outputs). */
export const isToolmeshStream = (name: string): boolean => /^(KV_|OBJ_)?TM_/.test(name);
