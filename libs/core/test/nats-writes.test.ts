import { connect, type NatsConnection } from "@nats-io/transport-node";
import { batchNatsWrites } from "@toolmesh/core";
import { startTestNats, waitFor, type NatsServerHandle } from "@toolmesh/testing";
import type { Socket } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

let nats: NatsServerHandle;
let sender: NatsConnection;
let receiver: NatsConnection;

beforeAll(async () => {
  expect(batchNatsWrites()).toBe(true);
  nats = await startTestNats();
  sender = await connect({ servers: nats.url });
  receiver = await connect({ servers: nats.url });
});
afterAll(async () => {
  await sender?.close();
  await receiver?.close();
  await nats?.stop();
});

/** Counts the writes reaching the sender's socket (one per write or writev call). */
function countWrites(nc: NatsConnection): { count: () => number } {
  const socket = (nc as unknown as { protocol: { transport: { socket: Socket } } }).protocol.transport.socket as Socket & {
    _write: (...args: unknown[]) => void;
    _writev: (...args: unknown[]) => void;
  };
  let writes = 0;
  for (const method of ["_write", "_writev"] as const) {
    const original = socket[method].bind(socket);
    socket[method] = (...args: unknown[]) => {
      writes += 1;
      original(...args);
    };
  }
  return { count: () => writes };
}

describe("NATS writes batched per event-loop turn", () => {
  it("publishes from 200 promise continuations of one turn leave in a write or two, all delivered in order", async () => {
    const got: number[] = [];
    receiver.subscribe("batched", { callback: (_err, msg) => got.push(msg.json<number>()) });
    await receiver.flush();
    const writes = countWrites(sender);
    // Each publish after an await: nats.js alone flushes once per microtask checkpoint, i.e. 200 writes.
    await (async () => {
      for (let i = 0; i < 200; i += 1) {
        await Promise.resolve();
        sender.publish("batched", JSON.stringify(i));
      }
    })();
    await waitFor(() => (got.length === 200 ? true : undefined), 10_000, "all 200 delivered");
    expect(got).toEqual(Array.from({ length: 200 }, (_, i) => i));
    expect(writes.count()).toBeLessThanOrEqual(3);
  });

  it("a request still gets its reply (the write is held at most one turn)", async () => {
    receiver.subscribe("echo", { callback: (_err, msg) => msg.respond(msg.data) });
    await receiver.flush();
    const reply = await sender.request("echo", "ping", { timeout: 5000 });
    expect(reply.string()).toBe("ping");
  });
});
