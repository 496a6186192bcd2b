import type { Socket } from "node:net";
import { createRequire } from "node:module";

/**
 * One socket write per event-loop turn for every NATS connection of this
 * process. nats.js flushes its outbound buffer once per microtask
 * checkpoint, so a coordinator settling results from many promise
 * continuations pays a write syscall for each (a tenth of its CPU under load,
 * in profiles). Here the first write of a turn corks the connection's socket
 * and the turn's setImmediate uncorks it: everything written meanwhile
 * leaves in one writev, at most one turn later. nats.js offers no hook for
 * this, so its transport's private `_send` is wrapped (the package version is
 * pinned; libs/core/test/nats-writes.test.ts counts the writes, so an
 * upgrade that moves `_send` fails there rather than silently).
 */
let installed = false;

interface TransportInternals {
  socket?: Socket;
  _send: (this: TransportInternals, frame: Uint8Array) => Promise<void>;
}

/** Installs the batching once per process; false if the transport no longer has the method wrapped. */
export function batchNatsWrites(): boolean {
  if (installed) return true;
  // A deep require: the transport class is not part of the package's exports.
  const { NodeTransport } = createRequire(import.meta.url)("@nats-io/transport-node/lib/node_transport") as {
    NodeTransport: { prototype: TransportInternals };
  };
  const send = NodeTransport.prototype._send;
  if (typeof send !== "function") return false;
  NodeTransport.prototype._send = function (this: TransportInternals, frame: Uint8Array): Promise<void> {
    const socket = this.socket;
    if (socket && socket.writableCorked === 0 && !socket.destroyed) {
      socket.cork();
      setImmediate(() => socket.uncork());
    }
    return send.call(this, frame);
  };
  installed = true;
  return true;
}
