import { JetStreamApiError, JetStreamError, jetstreamManager } from "@nats-io/jetstream";
import { TimeoutError, connect, headers, type NatsConnection } from "@nats-io/transport-node";
import { PubAckPublisher } from "@toolmesh/core";
import { startTestNats, type NatsServerHandle } from "@toolmesh/testing";
import { afterAll, beforeAll, expect, it } from "vitest";

/** JetStream publishes with their acks on one subscription, against a real nats-server. */
let nats: NatsServerHandle;
let nc: NatsConnection;
let publisher: PubAckPublisher;

beforeAll(async () => {
  nats = await startTestNats();
  nc = await connect({ servers: nats.url, inboxPrefix: "_INBOX_test" });
  const jsm = await jetstreamManager(nc);
  await jsm.streams.add({ name: "ACKS", subjects: ["acks.>"], duplicate_window: 60_000_000_000 });
  publisher = new PubAckPublisher(nc, "_INBOX_test");
});
afterAll(async () => {
  publisher?.close();
  await nc?.close();
  await nats?.stop();
});

const bytes = (text: string): Uint8Array => new TextEncoder().encode(text);

it("resolves each publish with its own ack; a repeated message id is a duplicate", async () => {
  const acks = await Promise.all(
    Array.from({ length: 50 }, (_, i) => publisher.publish(`acks.${i}`, bytes(String(i)), { msgID: `m${i}` })),
  );
  expect(acks.map((a) => a.stream)).toEqual(Array(50).fill("ACKS"));
  expect(new Set(acks.map((a) => a.seq)).size).toBe(50);
  const again = await publisher.publish("acks.0", bytes("0"), { msgID: "m0" });
  expect(again).toMatchObject({ stream: "ACKS", duplicate: true, seq: acks[0]!.seq });
});

it("rejects with the stream's API error, and when no stream takes the subject", async () => {
  const expectSeq = headers();
  expectSeq.set("Nats-Expected-Last-Sequence", "1");
  await expect(publisher.publish("acks.x", bytes("x"), { headers: expectSeq })).rejects.toBeInstanceOf(JetStreamApiError);
  await expect(publisher.publish("nowhere.x", bytes("x"), {})).rejects.toBeInstanceOf(JetStreamError);
});

it("an ack that never comes is a TimeoutError", async () => {
  const silent = nc.subscribe("silent.x");
  await expect(publisher.publish("silent.x", bytes("x"), { timeout: 300 })).rejects.toBeInstanceOf(TimeoutError);
  silent.unsubscribe();
});

it("a closed publisher refuses at once, and what waited for an ack is rejected", async () => {
  const other = new PubAckPublisher(nc, "_INBOX_test");
  const silent = nc.subscribe("silent.y");
  const waiting = other.publish("silent.y", bytes("y"), { timeout: 60_000 });
  other.close();
  await expect(waiting).rejects.toBeInstanceOf(JetStreamError);
  await expect(other.publish("acks.y", bytes("y"), {})).rejects.toThrow(/closed/);
  silent.unsubscribe();
});
