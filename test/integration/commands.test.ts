import { Subjects, createRegistry, serveMetrics, type CommandReply } from "@toolmesh/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { askBus } from "../support/command-bus.js";
import { startStack, testHandlers, type TestStack } from "../support/stack.js";
import type { Worker } from "@toolmesh/runtime";

let stack: TestStack;
let worker: Worker;
const registry = createRegistry("test-metrics");
beforeAll(async () => {
  stack = await startStack();
  worker = await stack.addWorker("test", testHandlers, { limit: 4, registry });
});
afterAll(async () => stack?.stop());

/** The one worker's reply. */
const ask = (subject: string, payload: unknown): Promise<CommandReply[]> => askBus(stack.nc, subject, payload, { count: 1 });

describe("command bus", () => {
  it("set-limit changes a running pool's concurrency limit, clamped to the pool's maximum", async () => {
    expect(await ask(Subjects.setLimit("test"), { limit: 10 })).toEqual([
      expect.objectContaining({ instanceId: worker.instanceId, ok: true, detail: "limit=10" }),
    ]);
    expect(worker.limiter.limit).toBe(10);
    await expect
      .poll(async () => (await stack.client.capacity()).pools.find((p) => p.pool === "test")?.limit, { timeout: 30_000 })
      .toBe(10);
    expect((await ask(Subjects.setLimit("test"), { limit: 100_000 }))[0]?.detail).toBe("limit=256");
    expect((await ask(Subjects.setLimit("test"), { limit: -3 }))[0]).toMatchObject({
      ok: false,
      detail: expect.stringMatching(/whole number >= 1/),
    });
    expect(worker.limiter.limit).toBe(256);
  });

  it("ping is answered by every instance", async () => {
    await expect
      .poll(async () => (await askBus(stack.nc, Subjects.ping, {}, { windowMs: 1000 })).map((r) => r.instanceId), { timeout: 30_000 })
      .toContain(worker.instanceId);
  });
});

/** The value of the Prometheus sample `name` whose labels include `labels`. */
function sample(text: string, name: string, labels: Record<string, string>): number | undefined {
  for (const line of text.split("\n")) {
    const match = /^([a-z_]+)\{(.*)\} (\S+)$/.exec(line);
    if (!match || match[1] !== name) continue;
    const have = Object.fromEntries([...match[2]!.matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1], m[2]]));
    if (Object.entries(labels).every(([k, v]) => have[k] === v)) return Number(match[3]);
  }
  return undefined;
}

describe("metrics", () => {
  it("the worker's /metrics has the pool gauges and the task latency histogram", async () => {
    await stack.client.call({ tool: "test.echo", args: { value: 1 } });
    await stack.client.call({ tool: "test.fail", args: { code: "NOT_FOUND" } }).catch(() => undefined);
    const server = await serveMetrics(registry, 0, "127.0.0.1");
    try {
      const text = await (await fetch(`http://127.0.0.1:${server.port}/metrics`)).text();
      expect(sample(text, "toolmesh_pool_limit", { pool: "test" })).toBeGreaterThan(0);
      expect(sample(text, "toolmesh_pool_in_flight", { pool: "test" })).toBe(0);
      expect(sample(text, "toolmesh_task_duration_seconds_count", { tool: "test.echo", outcome: "ok" })).toBe(1);
      expect(sample(text, "toolmesh_task_errors_total", { tool: "test.fail", code: "NOT_FOUND" })).toBe(1);
      expect(text).toMatch(/process_cpu_user_seconds_total/);
      expect((await fetch(`http://127.0.0.1:${server.port}/other`)).status).toBe(404);
    } finally {
      await server.close();
    }
  });
});
