import { Redis } from "ioredis";

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
