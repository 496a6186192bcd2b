import { Redis } from "ioredis";
import { commandName, redisInfoPid } from "./proc-sample.js";
import type { ProcessRef } from "./system.js";

/**
 * Null when Redis at `url` answers PING within `timeoutMs`, otherwise why
 * not. Connects once with no retries: BullMQ's own clients would retry
 * forever and hang the bench.
 */
export async function redisUnreachable(url: string, timeoutMs = 2_000): Promise<string | null> {
  const redis = new Redis(url, {
    lazyConnect: true,
    connectTimeout: timeoutMs,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
    enableOfflineQueue: false,
  });
  // The socket error (ECONNREFUSED ...) says more than connect()'s "Connection is closed".
  let socketError: Error | undefined;
  redis.on("error", (err: Error) => (socketError ??= err));
  try {
    await redis.connect();
    // Typed "PONG", but a proxy or another server can answer anything.
    const pong: string = await redis.ping();
    return pong === "PONG" ? null : `PING answered ${pong}`;
  } catch (err) {
    return socketError?.message ?? (err instanceof Error ? err.message : String(err));
  } finally {
    redis.disconnect();
  }
}

/**
 * The Redis server's process, from `INFO server`'s process_id, checked
 * against /proc (a Redis in another pid namespace reports a pid that is
 * not it here). `pid` is undefined, with why, when it cannot be read.
 */
export async function redisProcess(url: string): Promise<ProcessRef> {
  const redis = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null, enableOfflineQueue: false });
  redis.on("error", () => undefined);
  try {
    await redis.connect();
    const pid = redisInfoPid(await redis.info("server"));
    if (pid === undefined) return { label: "redis-server", pid: undefined, why: "INFO server has no process_id" };
    const comm = commandName(pid);
    if (!comm?.startsWith("redis"))
      return { label: "redis-server", pid: undefined, why: `pid ${pid} is not readable here as redis-server` };
    return { label: "redis-server", pid };
  } catch (err) {
    return { label: "redis-server", pid: undefined, why: err instanceof Error ? err.message : String(err) };
  } finally {
    redis.disconnect();
  }
}
