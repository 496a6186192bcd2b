import type { PoolName } from "@toolmesh/core";
import { describe, expect, it } from "vitest";
import { DispatchScheduler, type DispatchRequest } from "../src/scheduler.js";

/** A request whose release, resolve and reject only record what happened; the test settles releases itself. */
interface TestRequest extends DispatchRequest {
  readonly name: string;
  wanted: boolean;
  outcome?: "resolved" | { rejected: unknown };
  finishRelease(error?: Error): void;
}

class Harness {
  readonly windows = new Map<PoolName, number>();
  readonly released: string[] = [];
  readonly scheduler = new DispatchScheduler((pool) => this.windows.get(pool) ?? 0);

  constructor(windows: { [pool in PoolName]?: number }) {
    for (const [pool, size] of Object.entries(windows)) this.windows.set(pool as PoolName, size!);
  }

  submit(name: string, extra: Partial<Pick<DispatchRequest, "runId" | "pool" | "priority" | "runCap" | "attempt">> = {}): TestRequest {
    let settleRelease: (error?: Error) => void = () => undefined;
    const request: TestRequest = {
      name,
      wanted: true,
      runId: "run1",
      taskId: name,
      attempt: 1,
      pool: "test",
      priority: 0,
      runCap: 0,
      ...extra,
      stillWanted: () => request.wanted,
      release: () => {
        this.released.push(name);
        return new Promise<void>((resolve, reject) => {
          settleRelease = (error) => (error ? reject(error) : resolve());
        });
      },
      resolve: () => {
        request.outcome = "resolved";
      },
      reject: (err) => {
        request.outcome = { rejected: err };
      },
      finishRelease: (error) => settleRelease(error),
    };
    this.scheduler.submit(request);
    return request;
  }

  end(request: TestRequest): void {
    this.scheduler.ended(request.runId, request.taskId, request.attempt);
  }
}

const flush = async (): Promise<void> => {
  for (let i = 0; i < 5; i++) await Promise.resolve();
};

describe("DispatchScheduler", () => {
  it("releases at once while the pool has room, then holds the rest", () => {
    const h = new Harness({ test: 2 });
    h.submit("a");
    h.submit("b");
    h.submit("c");
    expect(h.released).toEqual(["a", "b"]);
    expect(h.scheduler.inPool("test")).toBe(2);
    expect(h.scheduler.waiting("test")).toBe(1);
  });

  it("releases higher priority first, and in submission order within a priority", () => {
    const h = new Harness({ test: 0 });
    h.submit("low1", { priority: 1 });
    h.submit("high1", { priority: 5 });
    h.submit("low2", { priority: 1 });
    h.submit("mid", { priority: 3 });
    h.submit("high2", { priority: 5 });
    h.submit("none");
    expect(h.released).toEqual([]);
    h.windows.set("test", 10);
    h.scheduler.pumpAll();
    expect(h.released).toEqual(["high1", "high2", "mid", "low1", "low2", "none"]);
  });

  it("an attempt that ends frees its slot for the next in line", () => {
    const h = new Harness({ test: 1 });
    const a = h.submit("a");
    h.submit("b");
    h.submit("c");
    h.end(a);
    expect(h.released).toEqual(["a", "b"]);
    expect(h.scheduler.inPool("test")).toBe(1);
    expect(h.scheduler.waiting("test")).toBe(1);
  });

  it("ignores the end of an attempt it never released, and a second end of the same one", () => {
    const h = new Harness({ test: 1 });
    const a = h.submit("a");
    const b = h.submit("b");
    h.end(b);
    h.scheduler.ended("other-run", "a", 1);
    h.scheduler.ended("run1", "a", 2);
    expect(h.scheduler.inPool("test")).toBe(1);
    expect(h.released).toEqual(["a"]);
    h.end(a);
    h.end(a);
    // b was released by the first end; the duplicate did not free a second slot.
    expect(h.released).toEqual(["a", "b"]);
    expect(h.scheduler.inPool("test")).toBe(1);
  });

  it("keeps pools apart: a full pool does not hold back another", () => {
    const h = new Harness({ bash: 1, web: 3 });
    const s1 = h.submit("s1", { pool: "bash" });
    h.submit("s2", { pool: "bash" });
    h.submit("b1", { pool: "web" });
    h.submit("b2", { pool: "web" });
    expect(h.released).toEqual(["s1", "b1", "b2"]);
    expect(h.scheduler.inPool("bash")).toBe(1);
    expect(h.scheduler.inPool("web")).toBe(2);
    h.end(s1);
    expect(h.released).toEqual(["s1", "b1", "b2", "s2"]);
    expect(h.scheduler.waiting("bash")).toBe(0);
  });

  it("caps a workflow at its runCap and lets other workflows past it, whatever their priority", () => {
    const h = new Harness({ test: 10 });
    const a1 = h.submit("a1", { runId: "A", runCap: 2, priority: 9 });
    h.submit("a2", { runId: "A", runCap: 2, priority: 9 });
    h.submit("a3", { runId: "A", runCap: 2, priority: 9 });
    h.submit("b1", { runId: "B", priority: 0 });
    expect(h.released).toEqual(["a1", "a2", "b1"]);
    expect(h.scheduler.waiting("test")).toBe(1);
    h.end(a1);
    expect(h.released).toEqual(["a1", "a2", "b1", "a3"]);
  });

  it("counts a workflow's attempts across pools against its cap", () => {
    const h = new Harness({ web: 5, "mcp-docs": 5 });
    const x = h.submit("x", { pool: "web", runCap: 1 });
    h.submit("y", { pool: "mcp-docs", runCap: 1 });
    expect(h.released).toEqual(["x"]);
    h.end(x);
    // An end pumps its own pool only; the other pool's waiting attempt goes on the next pumpAll (the engine's 500 ms tick).
    expect(h.released).toEqual(["x"]);
    h.scheduler.pumpAll();
    expect(h.released).toEqual(["x", "y"]);
  });

  it("a runCap of 0 means no cap beyond the pool's", () => {
    const h = new Harness({ test: 3 });
    for (const name of ["a", "b", "c", "d"]) h.submit(name, { runCap: 0 });
    expect(h.released).toEqual(["a", "b", "c"]);
  });

  it("drops an attempt no longer wanted without releasing it, and resolves its submitter", () => {
    const h = new Harness({ test: 1 });
    const a = h.submit("a");
    const b = h.submit("b");
    h.submit("c");
    b.wanted = false;
    h.end(a);
    expect(h.released).toEqual(["a", "c"]);
    expect(b.outcome).toBe("resolved");
    expect(h.scheduler.waiting("test")).toBe(0);
    // Its slot was never taken.
    expect(h.scheduler.inPool("test")).toBe(1);
  });

  it("resolves the submitter once its release is published, and rejects it with the publish error", async () => {
    const h = new Harness({ test: 5 });
    const a = h.submit("a");
    const b = h.submit("b");
    await flush();
    expect(a.outcome).toBeUndefined();
    a.finishRelease();
    const error = new Error("no stream");
    b.finishRelease(error);
    await flush();
    expect(a.outcome).toBe("resolved");
    expect(b.outcome).toEqual({ rejected: error });
    // A failed publish still holds its slot until the run reports the attempt ended.
    expect(h.scheduler.inPool("test")).toBe(2);
    h.end(b);
    expect(h.scheduler.inPool("test")).toBe(1);
  });

  it("pumpAll lets waiting attempts out when a pool's window grows", () => {
    const h = new Harness({ test: 0 });
    h.submit("a");
    h.submit("b");
    h.scheduler.pumpAll();
    expect(h.released).toEqual([]);
    h.windows.set("test", 1);
    h.scheduler.pumpAll();
    expect(h.released).toEqual(["a"]);
    h.windows.set("test", 5);
    h.scheduler.pumpAll();
    expect(h.released).toEqual(["a", "b"]);
    expect(h.scheduler.waiting("test")).toBe(0);
  });

  it("a shrunk window releases nothing more until enough attempts end", () => {
    const h = new Harness({ test: 3 });
    const [a, b] = [h.submit("a"), h.submit("b"), h.submit("c")];
    h.submit("d");
    h.windows.set("test", 1);
    h.end(a);
    expect(h.released).toEqual(["a", "b", "c"]);
    h.end(b);
    expect(h.released).toEqual(["a", "b", "c"]);
    expect(h.scheduler.inPool("test")).toBe(1);
  });

  it("tells attempts of the same task apart by attempt number", () => {
    const h = new Harness({ test: 1 });
    const first = h.submit("a", { attempt: 1 });
    h.submit("a", { attempt: 2 });
    h.scheduler.ended("run1", "a", 2);
    expect(h.released).toEqual(["a"]);
    h.end(first);
    expect(h.released).toEqual(["a", "a"]);
  });
});
