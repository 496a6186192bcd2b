import type { NatsConnection } from "@nats-io/transport-node";
import { decodeJson, encodeJson, type CommandReply } from "@toolmesh/core";

/**
 * Replies to a command-bus request. `{ count }`: the first `count` replies,
 * returned as soon as they are in (at most `maxWaitMs`, 15 s, on a slow
 * machine). `{ windowMs }`: whatever answers within the window, for a
 * broadcast (ping) where the number of answers is what is being tested;
 * poll it until the expected instance is among them.
 */
export async function askBus(
  nc: NatsConnection,
  subject: string,
  payload: unknown,
  collect: { count: number; maxWaitMs?: number } | { windowMs: number },
): Promise<CommandReply[]> {
  const options =
    "count" in collect
      ? { strategy: "count" as const, maxMessages: collect.count, maxWait: collect.maxWaitMs ?? 15_000 }
      : { strategy: "timer" as const, maxWait: collect.windowMs };
  const replies: CommandReply[] = [];
  for await (const msg of await nc.requestMany(subject, encodeJson(payload), options)) replies.push(decodeJson<CommandReply>(msg.data));
  return replies;
}
