/**
 * Maps an async stream with up to `limit` calls in flight, yielding results
 * in input order: I/O overlaps, yet output (and where a cap cuts it) is as
 * deterministic as a sequential loop. `fn` should not reject; if it does,
 * the rejection surfaces when its turn comes.
 */
export async function* mapOrdered<T, R>(items: AsyncIterable<T>, limit: number, fn: (item: T) => Promise<R>): AsyncGenerator<R> {
  const queue: Array<Promise<R>> = [];
  const start = (item: T): void => {
    const p = fn(item);
    // Results abandoned by an early stop must not become unhandled rejections.
    p.catch(() => undefined);
    queue.push(p);
  };
  for await (const item of items) {
    start(item);
    if (queue.length >= limit) yield await queue.shift()!;
  }
  while (queue.length > 0) yield await queue.shift()!;
}
