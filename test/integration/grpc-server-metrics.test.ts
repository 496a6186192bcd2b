import { Client, Metadata, credentials, status, type ServiceError } from "@grpc/grpc-js";
import { ToolmeshClient } from "@toolmesh/client";
import { testHandlers } from "@toolmesh/testpool";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { task, workflow } from "../support/spec.js";
import { startStack, type TestStack } from "../support/stack.js";

// toolmesh_grpc_server_handling_seconds, observed by the coordinator's server
// interceptor: real calls over loopback, read back from the coordinator's registry.

const HISTOGRAM = "toolmesh_grpc_server_handling_seconds";
const token = "a-grpc-metrics-token-of-enough-length";
let stack: TestStack;

beforeAll(async () => {
  stack = await startStack({ TOOLMESH_GRPC_TOKEN: token });
  await stack.addWorker("test", testHandlers);
});
afterAll(async () => stack?.stop());

interface Observed {
  count: number;
  sum: number;
}

/** The histogram's _count and _sum for exactly these labels (grpc_service defaults to the Coordinator). */
async function observed(labels: { grpc_method: string; grpc_code: string; grpc_type: string; grpc_service?: string }): Promise<Observed> {
  const want: Record<string, string> = { grpc_service: "toolmesh.v1.Coordinator", ...labels };
  const metric = await stack.coordinator.registry.getSingleMetric(HISTOGRAM)!.get();
  const pick = (suffix: string): number =>
    metric.values
      .filter((v) => v.metricName === `${HISTOGRAM}${suffix}`)
      .filter((v) => Object.keys(want).every((key) => v.labels[key] === want[key]))
      .reduce((total, v) => total + v.value, 0);
  return { count: pick("_count"), sum: pick("_sum") };
}

const codeName = (err: unknown): string => status[(err as ServiceError).code];

type Labels = Parameters<typeof observed>[0];

/** How many observations with these labels `act` adds (once the server has recorded them), and their summed seconds. */
async function added(labels: Labels, act: () => Promise<unknown>, expected: number): Promise<Observed> {
  const before = await observed(labels);
  await act();
  let after = before;
  await expect.poll(async () => (after = await observed(labels)).count - before.count, { timeout: 10_000 }).toBe(expected);
  return { count: after.count - before.count, sum: after.sum - before.sum };
}

describe("the coordinator's gRPC server latency histogram", () => {
  it("a unary call is observed with its method, type and OK", async () => {
    const seen = await added(
      { grpc_method: "ListTools", grpc_type: "unary", grpc_code: "OK" },
      async () => {
        await stack.client.listTools();
        await stack.client.listTools();
      },
      2,
    );
    expect(seen.sum).toBeGreaterThan(0);
  });

  it("failing calls are observed with the status code the client got", async () => {
    await added(
      { grpc_method: "GetWorkflow", grpc_type: "unary", grpc_code: "NOT_FOUND" },
      async () => {
        const unknown = await stack.client.get("wf-that-was-never-submitted").catch((err: unknown) => err);
        expect(codeName(unknown)).toBe("NOT_FOUND");
      },
      1,
    );

    const anonymous = new ToolmeshClient(`127.0.0.1:${stack.coordinator.port}`);
    const ok = await observed({ grpc_method: "GetCapacity", grpc_type: "unary", grpc_code: "OK" });
    try {
      await added(
        { grpc_method: "GetCapacity", grpc_type: "unary", grpc_code: "UNAUTHENTICATED" },
        async () => {
          const refused = await anonymous.capacity().catch((err: unknown) => err);
          expect(codeName(refused)).toBe("UNAUTHENTICATED");
        },
        1,
      );
    } finally {
      anonymous.close();
    }
    expect(await observed({ grpc_method: "GetCapacity", grpc_type: "unary", grpc_code: "OK" })).toEqual(ok);
  });

  it("a call whose deadline passes is observed as DEADLINE_EXCEEDED", async () => {
    const hurried = new ToolmeshClient(`127.0.0.1:${stack.coordinator.port}`, { token, timeoutMs: 300 });
    try {
      const seen = await added(
        { grpc_method: "CallTool", grpc_type: "unary", grpc_code: "DEADLINE_EXCEEDED" },
        async () => {
          const late = await hurried.call({ tool: "test.sleep", args: { ms: 5_000 } }).catch((err: unknown) => err);
          expect(codeName(late)).toBe("DEADLINE_EXCEEDED");
        },
        1,
      );
      expect(seen.sum).toBeGreaterThan(0);
    } finally {
      hurried.close();
    }
  });

  it("a server stream is observed once, when it ends: WatchWorkflow lasts as long as its workflow", async () => {
    const seen = await added(
      { grpc_method: "WatchWorkflow", grpc_type: "server_stream", grpc_code: "OK" },
      async () => {
        const id = await stack.client.submit(workflow("watched", [task("nap", "test.sleep", { ms: 1_000 })]));
        const events = [];
        for await (const event of stack.client.watch(id)) events.push(event);
        expect(events.length).toBeGreaterThan(1);
      },
      1,
    );
    // At least the part of the 1 s nap left once the watch opened: the stream is observed when it ends, not when it starts.
    expect(seen.sum).toBeGreaterThanOrEqual(0.5);
  });

  it("a bidirectional CallTools stream is one observation, whatever number of calls it carried", async () => {
    await added(
      { grpc_method: "CallTools", grpc_type: "bidi_stream", grpc_code: "OK" },
      async () => {
        const session = stack.client.session();
        const results = await Promise.all([1, 2, 3].map((value) => session.call({ tool: "test.echo", args: { value } })));
        expect(results).toHaveLength(3);
        await session.close();
      },
      1,
    );
  });

  it("a stream the client cancels is observed as CANCELLED", async () => {
    const id = await stack.client.submit(workflow("abandoned", [task("long", "test.sleep", { ms: 60_000 })]));
    try {
      await added(
        { grpc_method: "WatchWorkflow", grpc_type: "server_stream", grpc_code: "CANCELLED" },
        async () => {
          // Leaving the loop cancels the stream (ToolmeshClient.watch's finally).
          for await (const event of stack.client.watch(id)) if (event) break;
        },
        1,
      );
    } finally {
      await stack.client.cancel(id, "test over");
    }
  });

  it("the other services on the server are measured too: grpc.health.v1.Health/Check", async () => {
    const raw = new Client(`127.0.0.1:${stack.coordinator.port}`, credentials.createInsecure());
    const labels = { grpc_service: "grpc.health.v1.Health", grpc_method: "Check", grpc_type: "unary", grpc_code: "OK" };
    try {
      await added(
        labels,
        () =>
          // An empty HealthCheckRequest (service "") is zero bytes on the wire.
          new Promise<Buffer>((resolve, reject) =>
            raw.makeUnaryRequest(
              "/grpc.health.v1.Health/Check",
              (request: Buffer) => request,
              (response: Buffer) => response,
              Buffer.alloc(0),
              new Metadata(),
              (err, response) => (err ? reject(err) : resolve(response!)),
            ),
          ),
        1,
      );
    } finally {
      raw.close();
    }
  });
});
