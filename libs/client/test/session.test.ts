import type { ClientDuplexStream } from "@grpc/grpc-js";
import { status } from "@grpc/grpc-js";
import { ToolCallSession } from "@toolmesh/client";
import type { CallToolsRequest, CallToolsResponse, TaskStatus } from "@toolmesh/proto";
import { EventEmitter } from "node:events";
import { describe, expect, it } from "vitest";

/** The client side of a CallTools stream, recording what is written (no server: the test answers). */
class RecordingStream extends EventEmitter {
  readonly written: CallToolsRequest[] = [];
  writableEnded = false;
  write(request: CallToolsRequest): boolean {
    this.written.push(request);
    return true;
  }
  end(): void {
    this.writableEnded = true;
    this.emit("end");
  }
}

const ok = (id: string): TaskStatus => ({ id, tool: "test.echo" }) as unknown as TaskStatus;
const response = (fields: Partial<CallToolsResponse>): CallToolsResponse => ({
  requestId: "",
  result: undefined,
  error: undefined,
  results: [],
  ...fields,
});

function session(): { stream: RecordingStream; session: ToolCallSession } {
  const stream = new RecordingStream();
  return { stream, session: new ToolCallSession(stream as unknown as ClientDuplexStream<CallToolsRequest, CallToolsResponse>) };
}

describe("ToolCallSession", () => {
  it("sends the calls made in one turn in one message, and each call gets its own answer", async () => {
    const { stream, session: s } = session();
    const a = s.call({ tool: "test.echo", args: { value: "a" } });
    const b = s.call({ tool: "test.echo", args: { value: "b" } });
    // A call made by a promise callback of the same turn goes along.
    const c = Promise.resolve().then(() => s.call({ tool: "test.echo", args: { value: "c" } }));
    await new Promise((resolve) => setImmediate(resolve));
    expect(stream.written).toHaveLength(1);
    const calls = stream.written[0]!.calls;
    expect(calls.map((x) => x.call?.args)).toEqual([{ value: "a" }, { value: "b" }, { value: "c" }]);
    expect(new Set(calls.map((x) => x.requestId)).size).toBe(3);

    const [idA, idB, idC] = calls.map((x) => x.requestId);
    stream.emit(
      "data",
      response({
        results: [
          { requestId: idC!, result: ok("c"), error: undefined },
          { requestId: idA!, result: undefined, error: { code: "INVALID_ARGUMENT", message: "bad a", retryable: false } },
        ],
      }),
    );
    // An answer in the one-call form is taken too.
    stream.emit("data", response({ requestId: idB!, result: ok("b") }));
    await expect(a).rejects.toMatchObject({ code: status.INVALID_ARGUMENT, details: "bad a" });
    await expect(b).resolves.toMatchObject({ id: "b" });
    await expect(c).resolves.toMatchObject({ id: "c" });
  });

  it("calls made in later turns go in later messages", async () => {
    const { stream, session: s } = session();
    void s.call({ tool: "test.echo" }).catch(() => undefined);
    await new Promise((resolve) => setImmediate(resolve));
    void s.call({ tool: "test.echo" }).catch(() => undefined);
    await new Promise((resolve) => setImmediate(resolve));
    expect(stream.written.map((w) => w.calls.length)).toEqual([1, 1]);
  });

  it("a call after close() is refused, and calls still waiting fail when the stream ends", async () => {
    const { stream, session: s } = session();
    const waiting = s.call({ tool: "test.echo" });
    await s.close();
    // close() sent what was waiting before it half-closed.
    expect(stream.written).toHaveLength(1);
    await expect(waiting).rejects.toMatchObject({ code: status.UNAVAILABLE });
    await expect(s.call({ tool: "test.echo" })).rejects.toMatchObject({ code: status.UNAVAILABLE });
  });
});
