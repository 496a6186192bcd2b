import { jetstream, jetstreamManager } from "@nats-io/jetstream";
import { connect, type NatsConnection } from "@nats-io/transport-node";
import { ensurePoolConsumer, ensurePoolStream, Subjects } from "@toolmesh/core";
import { startTestNats, type NatsServerHandle } from "@toolmesh/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readQueueState } from "../src/queue-state.js";

describe("a pool's queue as the autoscaler reads it (real nats-server)", () => {
  let nats: NatsServerHandle;
  let nc: NatsConnection;
  beforeAll(async () => {
    nats = await startTestNats();
    nc = await connect({ servers: nats.url });
  });
  afterAll(async () => {
    await nc?.close();
    await nats?.stop();
  });

  it("a pool scaled to zero (no consumer yet): the stream's messages are its backlog", async () => {
    const jsm = await jetstreamManager(nc);
    await ensurePoolStream(jsm, "agent");
    const js = jetstream(nc);
    for (let i = 0; i < 3; i++) await js.publish(Subjects.task("agent"), JSON.stringify({ i }));
    expect(await readQueueState(jsm, "agent")).toEqual({ pending: 3, ackPending: 0 });
  });

  it("with its consumer: pending from the consumer", async () => {
    const jsm = await jetstreamManager(nc);
    await ensurePoolStream(jsm, "web");
    await ensurePoolConsumer(jsm, "web", 30_000);
    await jetstream(nc).publish(Subjects.task("web"), "{}");
    expect(await readQueueState(jsm, "web")).toEqual({ pending: 1, ackPending: 0 });
  });

  it("no stream at all is an error, not an empty queue", async () => {
    const jsm = await jetstreamManager(nc);
    expect(await readQueueState(jsm, "bash")).toMatchObject({ reason: "stream-missing" });
  });
});
