import { decodeJson, type Logger } from "@toolmesh/core";
import { describe, expect, it, vi } from "vitest";
import { Leadership } from "../src/store/leadership.js";
import { MemoryKv } from "./memory-kv.js";
import { settle, TestClock } from "./workflow-harness.js";

const LEASE_MS = 3000;
const RENEW_MS = LEASE_MS / 3;

interface Replica {
  leadership: Leadership;
  clock: TestClock;
  elected: ReturnType<typeof vi.fn>;
  lost: ReturnType<typeof vi.fn>;
  log: Record<"info" | "warn" | "error" | "fatal", ReturnType<typeof vi.fn>>;
}

/** One coordinator replica campaigning on `kv`, with a clock of its own (a hung replica's clock just stops). */
function replica(kv: MemoryKv, instanceId: string, options: { clock?: TestClock; onElected?: () => Promise<void> } = {}): Replica {
  const clock = options.clock ?? new TestClock();
  const elected = vi.fn(options.onElected ?? (() => Promise.resolve()));
  const lost = vi.fn();
  const log = { info: vi.fn(), warn: vi.fn(), error: vi.fn(), fatal: vi.fn() };
  const leadership = new Leadership({
    kv,
    instanceId,
    leaseMs: LEASE_MS,
    log: log as unknown as Logger,
    onElected: elected,
    onLost: lost,
    clock,
  });
  return { leadership, clock, elected, lost, log };
}

/** Moves a replica's time on one renewal period at a time, letting each tick's KV round trips finish. */
async function run(r: Replica, ms: number): Promise<void> {
  for (let left = ms; left > 0; left -= RENEW_MS) {
    r.clock.advance(Math.min(RENEW_MS, left));
    await settle();
  }
}

function storedLease(kv: MemoryKv): { owner: string; untilMs: number } | undefined {
  const entry = kv.peek("leader");
  return entry?.operation === "PUT" ? decodeJson(entry.value) : undefined;
}

describe("Leadership", () => {
  it("a lone replica creates the lease and leads", async () => {
    const kv = new MemoryKv();
    const a = replica(kv, "a");
    await a.leadership.start();
    expect(a.leadership.isLeader).toBe(true);
    expect(a.leadership.holder).toBe("a");
    expect(a.elected).toHaveBeenCalledTimes(1);
    expect(storedLease(kv)).toEqual({ owner: "a", untilMs: a.clock.now() + LEASE_MS });
    await a.leadership.stop();
  });

  it("a second replica stands by while the lease is held, and the holder keeps renewing it", async () => {
    const kv = new MemoryKv();
    const a = replica(kv, "a");
    const b = replica(kv, "b");
    await a.leadership.start();
    await b.leadership.start();
    expect(b.leadership.isLeader).toBe(false);
    expect(b.leadership.holder).toBe("a");
    for (let i = 0; i < 9; i++) {
      const before = kv.peek("leader")!.revision;
      await run(a, RENEW_MS);
      await run(b, RENEW_MS);
      // Each renewal is a new revision whose expiry moved on with the holder's clock.
      expect(kv.peek("leader")!.revision).toBeGreaterThan(before);
      expect(storedLease(kv)).toEqual({ owner: "a", untilMs: a.clock.now() + LEASE_MS });
    }
    expect(b.leadership.isLeader).toBe(false);
    expect(b.elected).not.toHaveBeenCalled();
    expect(a.elected).toHaveBeenCalledTimes(1);
    expect(a.lost).not.toHaveBeenCalled();
    await a.leadership.stop();
    await b.leadership.stop();
  });

  it("renews once per third of the lease, and only after the previous renewal finished", async () => {
    const kv = new MemoryKv();
    const a = replica(kv, "a");
    await a.leadership.start();
    expect(kv.writes).toBe(1);
    a.clock.advance(RENEW_MS - 1);
    await settle();
    expect(kv.writes).toBe(1);
    a.clock.advance(1);
    await settle();
    expect(kv.writes).toBe(2);
    expect(a.clock.pendingTimers).toBe(1);
    await a.leadership.stop();
  });

  it("a standby takes over a lease that expired because its holder hung, and the old holder then steps down", async () => {
    const kv = new MemoryKv();
    const a = replica(kv, "a");
    const b = replica(kv, "b");
    await a.leadership.start();
    await b.leadership.start();
    // a hangs: its clock no longer moves. Up to the lease's end b waits.
    await run(b, LEASE_MS);
    expect(b.leadership.isLeader).toBe(false);
    await run(b, RENEW_MS);
    expect(b.leadership.isLeader).toBe(true);
    expect(b.elected).toHaveBeenCalledTimes(1);
    expect(b.log.warn).toHaveBeenCalledWith({ previous: "a" }, "the leader's lease expired; taking over");
    expect(storedLease(kv)?.owner).toBe("b");
    // a wakes up, sees b's lease on its next renewal and stops acting at once.
    expect(a.leadership.isLeader).toBe(true);
    await run(a, RENEW_MS);
    expect(a.leadership.isLeader).toBe(false);
    expect(a.lost).toHaveBeenCalledTimes(1);
    expect(storedLease(kv)?.owner).toBe("b");
    await a.leadership.stop();
    await b.leadership.stop();
  });

  it("a leader whose renewal loses the compare-and-set to another replica steps down", async () => {
    const kv = new MemoryKv();
    const a = replica(kv, "a");
    await a.leadership.start();
    kv.beforeWrite = () => {
      kv.beforeWrite = undefined;
      kv.set("leader", new TextEncoder().encode(JSON.stringify({ owner: "b", untilMs: a.clock.now() + LEASE_MS })));
    };
    await run(a, RENEW_MS);
    expect(a.leadership.isLeader).toBe(false);
    expect(a.lost).toHaveBeenCalledTimes(1);
    expect(a.log.error).toHaveBeenCalledWith({ to: "another replica" }, "lost the leader lease");
    expect(a.log.warn).not.toHaveBeenCalled();
    // As a standby it now sees b's lease and leaves it alone.
    await run(a, RENEW_MS);
    expect(a.leadership.holder).toBe("b");
    expect(a.lost).toHaveBeenCalledTimes(1);
    expect(storedLease(kv)?.owner).toBe("b");
    await a.leadership.stop();
  });

  it("of two replicas that both found no lease, the one whose create lost stays a standby quietly", async () => {
    const kv = new MemoryKv();
    const a = replica(kv, "a");
    const b = replica(kv, "b");
    kv.beforeWrite = () => {
      kv.beforeWrite = undefined;
      kv.set("leader", new TextEncoder().encode(JSON.stringify({ owner: "a", untilMs: a.clock.now() + LEASE_MS })));
    };
    await b.leadership.start();
    expect(b.leadership.isLeader).toBe(false);
    expect(b.elected).not.toHaveBeenCalled();
    expect(b.lost).not.toHaveBeenCalled();
    expect(b.log.warn).not.toHaveBeenCalled();
    await run(b, RENEW_MS);
    expect(b.leadership.holder).toBe("a");
    await b.leadership.stop();
  });

  it("a write that fails for another reason is logged and changes nothing; the next renewal goes through", async () => {
    const kv = new MemoryKv();
    const a = replica(kv, "a");
    await a.leadership.start();
    const error = new Error("timeout");
    kv.failNextWrite = error;
    await run(a, RENEW_MS);
    expect(a.log.warn).toHaveBeenCalledWith({ err: error }, "could not write the leader lease");
    expect(a.leadership.isLeader).toBe(true);
    expect(a.lost).not.toHaveBeenCalled();
    await run(a, RENEW_MS);
    expect(storedLease(kv)).toEqual({ owner: "a", untilMs: a.clock.now() + LEASE_MS });
    await a.leadership.stop();
  });

  it("a lease that cannot be read is logged; the replica stays what it was", async () => {
    const kv = new MemoryKv();
    const a = replica(kv, "a");
    const error = new Error("no responders");
    kv.failNextGet = error;
    await a.leadership.start();
    expect(a.log.warn).toHaveBeenCalledWith({ err: error }, "could not read the leader lease");
    expect(a.leadership.isLeader).toBe(false);
    expect(kv.peek("leader")).toBeUndefined();
    // Campaigning carries on.
    await run(a, RENEW_MS);
    expect(a.leadership.isLeader).toBe(true);
    await a.leadership.stop();
  });

  it("stop gives the lease up, so a standby leads on its next tick instead of after the lease", async () => {
    const kv = new MemoryKv();
    const a = replica(kv, "a");
    const b = replica(kv, "b");
    await a.leadership.start();
    await b.leadership.start();
    await a.leadership.stop();
    expect(a.leadership.isLeader).toBe(false);
    expect(kv.peek("leader")?.operation).toBe("DEL");
    expect(a.clock.pendingTimers).toBe(0);
    expect(a.lost).not.toHaveBeenCalled();
    await run(b, RENEW_MS);
    expect(b.leadership.isLeader).toBe(true);
    expect(storedLease(kv)?.owner).toBe("b");
    // a's clock moving on changes nothing: it no longer campaigns.
    await run(a, LEASE_MS * 2);
    expect(a.elected).toHaveBeenCalledTimes(1);
    expect(storedLease(kv)?.owner).toBe("b");
    await b.leadership.stop();
  });

  it("stop leaves alone a lease it does not hold", async () => {
    const kv = new MemoryKv();
    const a = replica(kv, "a");
    const b = replica(kv, "b");
    await a.leadership.start();
    await b.leadership.start();
    await b.leadership.stop();
    expect(storedLease(kv)?.owner).toBe("a");
    // Taken over behind a's back (a has not noticed yet): stopping must not delete the new holder's lease.
    kv.set("leader", new TextEncoder().encode(JSON.stringify({ owner: "c", untilMs: a.clock.now() + LEASE_MS })));
    await a.leadership.stop();
    expect(storedLease(kv)?.owner).toBe("c");
  });

  it("a replica that finds a live lease in its own name renews it and leads", async () => {
    const kv = new MemoryKv();
    const a = replica(kv, "a");
    kv.set("leader", new TextEncoder().encode(JSON.stringify({ owner: "a", untilMs: a.clock.now() + 1 })));
    await a.leadership.start();
    expect(a.leadership.isLeader).toBe(true);
    expect(a.elected).toHaveBeenCalledTimes(1);
    expect(storedLease(kv)).toEqual({ owner: "a", untilMs: a.clock.now() + LEASE_MS });
    await a.leadership.stop();
  });

  it("a replica stopped while its first campaign is under way does not become leader", async () => {
    const kv = new MemoryKv();
    const a = replica(kv, "a");
    const started = a.leadership.start();
    await a.leadership.stop();
    await started;
    expect(a.leadership.isLeader).toBe(false);
    expect(a.elected).not.toHaveBeenCalled();
    expect(a.clock.pendingTimers).toBe(0);
    // The lease it had just written stays until it expires: a standby waits it out.
    expect(storedLease(kv)?.owner).toBe("a");
  });

  it("a replica whose workflows cannot be taken over logs it and gives up", async () => {
    const kv = new MemoryKv();
    const error = new Error("store down");
    const a = replica(kv, "a", { onElected: () => Promise.reject(error) });
    await a.leadership.start();
    await settle();
    expect(a.log.fatal).toHaveBeenCalledWith({ err: error }, "could not take over the workflows");
    expect(a.lost).toHaveBeenCalledTimes(1);
    await a.leadership.stop();
  });

  it("waitForLeadership answers true once elected and false when the wait runs out", async () => {
    const kv = new MemoryKv();
    const a = replica(kv, "a");
    const b = replica(kv, "b");
    await a.leadership.start();
    await b.leadership.start();
    expect(await a.leadership.waitForLeadership(1000)).toBe(true);

    let answer: boolean | undefined;
    void b.leadership.waitForLeadership(RENEW_MS).then((v) => (answer = v));
    await run(b, RENEW_MS - 100);
    expect(answer).toBeUndefined();
    await run(b, 100);
    expect(answer).toBe(false);

    answer = undefined;
    void b.leadership.waitForLeadership(10 * LEASE_MS).then((v) => (answer = v));
    await a.leadership.stop();
    await run(b, RENEW_MS);
    // Elected on the tick; the wait notices on its next poll.
    expect(b.leadership.isLeader).toBe(true);
    b.clock.advance(100);
    await settle();
    expect(answer).toBe(true);
    await b.leadership.stop();
  });

  it("waitForLeadership gives up once the replica stops", async () => {
    const kv = new MemoryKv();
    const a = replica(kv, "a");
    const b = replica(kv, "b");
    await a.leadership.start();
    await b.leadership.start();
    let answer: boolean | undefined;
    void b.leadership.waitForLeadership(60_000).then((v) => (answer = v));
    await b.leadership.stop();
    b.clock.advance(100);
    await settle();
    expect(answer).toBe(false);
    await a.leadership.stop();
  });
});
