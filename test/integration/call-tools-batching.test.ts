import { status, type Client, type ServiceError } from "@grpc/grpc-js";
import { CoordinatorService, type CallToolsRequest, type CallToolsResponse } from "@toolmesh/proto";
import { testHandlers } from "@toolmesh/testpool";
import { waitFor } from "@toolmesh/testing";
import { afterAll, beforeAll, expect, it } from "vitest";
import { startStack, type TestStack } from "../support/stack.js";

/**
 * CallTools with several calls per message (CallToolsRequest.calls): a real
 * coordinator over loopback gRPC, a test pool worker on a real nats-server.
 * Each call of a batch is answered under its own id, in `results`; a stream
 * that sends one call per message is answered one per message, as before.
 */
let stack: TestStack;
beforeAll(async () => {
  stack = await startStack();
  await stack.addWorker("test", testHandlers, { limit: 16 });
});
afterAll(async () => {
  await stack?.stop();
});

/** A raw CallTools stream: what the server sent, message by message. */
function rawStream(): { send(request: Partial<CallToolsRequest>): void; received: CallToolsResponse[]; end(): Promise<void> } {
  const stream = stack.client.raw.callTools(stack.client.metadata());
  const received: CallToolsResponse[] = [];
  stream.on("data", (response: CallToolsResponse) => received.push(response));
  const ended = new Promise<void>((resolve, reject) => {
    stream.on("end", resolve);
    stream.on("error", reject);
  });
  return {
    send: (request) => stream.write({ requestId: "", call: undefined, calls: [], ...request }),
    received,
    end: () => {
      stream.end();
      return ended;
    },
  };
}

const echo = (value: string) => ({ tool: "test.echo", args: { value }, timeoutMs: 10_000, retry: undefined });

it("a batch of calls is answered call by call under each one's id, good and bad alike", async () => {
  const stream = rawStream();
  const values = Array.from({ length: 40 }, (_, i) => `v${i}`);
  stream.send({
    calls: [
      ...values.map((value, i) => ({ requestId: `e${i}`, call: echo(value) })),
      { requestId: "unknown", call: { tool: "test.nope", args: {}, timeoutMs: 0, retry: undefined } },
      { requestId: "bad-args", call: { tool: "test.echo", args: { padBytes: -1 }, timeoutMs: 0, retry: undefined } },
    ],
  });
  const answers = () => stream.received.flatMap((r) => r.results);
  await waitFor(() => answers().length >= values.length + 2 || undefined, 30_000, "every answer of the batch");
  await stream.end();

  // Every message of a batching stream uses results, never the one-call fields.
  for (const message of stream.received) expect([message.requestId, message.result, message.error]).toEqual(["", undefined, undefined]);
  const byId = new Map(answers().map((a) => [a.requestId, a]));
  expect(answers()).toHaveLength(values.length + 2);
  values.forEach((value, i) => expect(byId.get(`e${i}`)?.result?.output).toMatchObject({ value }));
  expect(byId.get("unknown")?.error).toMatchObject({ code: "INVALID_ARGUMENT", message: expect.stringContaining("test.nope") });
  expect(byId.get("bad-args")?.error?.code).toBe("INVALID_ARGUMENT");
  // Answers that finished together share messages (40 calls on 16 slots cannot each need one).
  expect(stream.received.length).toBeLessThan(answers().length);
});

it("a stream of one-call messages is answered one call per message", async () => {
  const stream = rawStream();
  for (let i = 0; i < 5; i += 1) stream.send({ requestId: `one${i}`, call: echo(`x${i}`) });
  await waitFor(() => stream.received.length >= 5 || undefined, 30_000, "five answers");
  await stream.end();
  expect(stream.received.map((r) => r.results)).toEqual([[], [], [], [], []]);
  expect(stream.received.map((r) => r.requestId).sort()).toEqual(["one0", "one1", "one2", "one3", "one4"]);
  for (const r of stream.received) expect(r.result?.output).toMatchObject({ value: `x${r.requestId.slice(3)}` });
});

it("the client's session sends a burst in one message and gets every answer", async () => {
  const session = stack.client.session();
  const results = await Promise.all(Array.from({ length: 30 }, (_, i) => session.call(echo(`s${i}`))));
  await session.close();
  expect(results.map((r) => (r.output as { value: string }).value)).toEqual(Array.from({ length: 30 }, (_, i) => `s${i}`));
});

/** A CallTools stream that sends raw bytes: `@@@` in a string becomes ED A0 80 (a surrogate: not valid UTF-8). */
function rawBytesStream(): { send(bytes: Buffer): void; received: CallToolsResponse[]; ended: Promise<ServiceError | undefined> } {
  const raw = stack.client.raw as unknown as Client;
  const stream = raw.makeBidiStreamRequest(
    CoordinatorService.callTools.path,
    (b: Buffer) => b,
    (b: Buffer) => CoordinatorService.callTools.responseDeserialize(b),
    stack.client.metadata(),
  );
  const received: CallToolsResponse[] = [];
  stream.on("data", (response: CallToolsResponse) => received.push(response));
  const ended = new Promise<ServiceError | undefined>((resolve) => {
    stream.on("error", (err: ServiceError) => resolve(err));
    stream.on("end", () => resolve(undefined));
  });
  return {
    send: (bytes) => stream.write(Buffer.from(bytes.toString("latin1").replaceAll("@@@", "\xED\xA0\x80"), "latin1")),
    received,
    ended,
  };
}

it("invalid UTF-8 in one call of a batch fails that call, naming where; the others run", async () => {
  const stream = rawBytesStream();
  const request = CoordinatorService.callTools.requestSerialize({
    requestId: "",
    call: undefined,
    calls: [
      { requestId: "good", call: echo("fine") },
      { requestId: "bad", call: echo("x@@@y") },
    ],
  });
  stream.send(request);
  const answers = () => stream.received.flatMap((r) => r.results);
  await waitFor(() => answers().length >= 2 || undefined, 30_000, "both answers");
  const byId = new Map(answers().map((a) => [a.requestId, a]));
  expect(byId.get("good")?.result?.output).toMatchObject({ value: "fine" });
  expect(byId.get("bad")?.error).toMatchObject({
    code: "INVALID_ARGUMENT",
    message: expect.stringMatching(/^call\.args\.value is not valid UTF-8/),
  });
});

it("a message that is not a CallToolsRequest fails the stream with INVALID_ARGUMENT", async () => {
  const stream = rawBytesStream();
  // Field 3 (calls) as a length-delimited field whose length runs past the message's end.
  stream.send(Buffer.from([0x1a, 0x7f, 0x01]));
  const error = await stream.ended;
  expect(error).toMatchObject({ code: status.INVALID_ARGUMENT, details: expect.stringMatching(/not a valid CallToolsRequest/) });
});
