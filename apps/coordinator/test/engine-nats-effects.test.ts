import { ROOT_CONTEXT } from "@opentelemetry/api";
import type { NatsConnection } from "@nats-io/transport-node";
import type { Logger } from "@toolmesh/core";
import { describe, expect, it, vi } from "vitest";
import { natsEffects } from "../src/engine/nats-effects.js";
import { RunRegistry } from "../src/engine/run-registry.js";
import type { DispatchScheduler } from "../src/scheduler.js";

describe("natsEffects.emit", () => {
  it("reports an event it could not publish instead of throwing into the run", () => {
    const warn = vi.fn();
    const nc = {
      publish: () => {
        throw new Error("connection closed");
      },
    } as unknown as NatsConnection;
    const effects = natsEffects({
      nc,
      log: { warn } as unknown as Logger,
      runs: new RunRegistry(10),
      scheduler: {} as DispatchScheduler,
      publish: () => Promise.resolve(),
      runSynth: () => Promise.resolve({}),
      loadOutput: () => Promise.resolve({}),
      changed: () => undefined,
      finished: () => undefined,
      traceContext: () => ROOT_CONTEXT,
    });
    expect(() => effects.emit({ kind: "task.succeeded", workflowId: "wf", taskId: "a", timeMs: 1 })).not.toThrow();
    expect(warn).toHaveBeenCalledWith(
      expect.objectContaining({ workflowId: "wf", taskId: "a", kind: "task.succeeded" }),
      "could not publish an event",
    );
  });
});
