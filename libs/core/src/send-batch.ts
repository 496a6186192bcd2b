/**
 * Sends made together once per event-loop turn. nats.js writes its outbound
 * buffer to the socket once per microtask checkpoint, so publishes made from
 * many promise continuations (one per finished task) cost a socket write
 * each; deferred here, all of one turn's run in one setImmediate callback
 * and leave in one write. The delay is at most one turn of the loop.
 */
let queue: Array<() => void> = [];
let armed = false;

function run(): void {
  const sends = queue;
  queue = [];
  armed = false;
  for (const send of sends) {
    try {
      send();
    } catch {
      // A send that throws is its caller's to report (they wrap what can fail); the batch goes on.
    }
  }
}

/** Runs `send` (which must not throw) in the next batch. */
export function sendInBatch(send: () => void): void {
  queue.push(send);
  if (armed) return;
  armed = true;
  setImmediate(run);
}

/** Runs `send` in the next batch; its promise (a JetStream publish's ack, say) is handed back. */
export function requestInBatch<T>(send: () => Promise<T>): Promise<T> {
  return new Promise<T>((resolve, reject) =>
    sendInBatch(() => {
      try {
        send().then(resolve, reject);
      } catch (err) {
        reject(err);
      }
    }),
  );
}
