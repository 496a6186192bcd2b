import { ConfigError, decodeJson, encodeJson, type Logger } from "@toolmesh/core";
import { describe, expect, it, vi } from "vitest";
import { PartitionTable, partitionKey } from "../src/partition/partition-table.js";
import { MemoryKv } from "./memory-kv.js";
import { TestClock } from "./workflow-harness.js";

const LEASE_MS = 3000;
const RENEW_MS = LEASE_MS / 3;
const PARTITIONS = 64;

interface Member {
  id: string;
  table: PartitionTable;
  clock: TestClock;
  gained: ReturnType<typeof vi.fn>;
  lost: ReturnType<typeof vi.fn>;
  log: Record<"info" | "warn" | "error" | "fatal" | "debug", ReturnType<typeof vi.fn>>;
}

/** One coordinator on `kv`, with a clock of its own (a hung or dead one's clock just stops). */
function member(
  kv: MemoryKv,
  id: string,
  options: { partitions?: number; refreshMs?: number; startMs?: number; onGained?: (p: number[]) => Promise<void> } = {},
): Member {
  // Clocks agree (a newcomer starts at the others' time): the design assumes skew well under a lease.
  const clock = new TestClock(options.startMs);
  const gained = vi.fn(options.onGained ?? (() => Promise.resolve()));
  const lost = vi.fn();
  const log = { info: vi.fn(), warn: vi.fn(), error: vi.fn(), fatal: vi.fn(), debug: vi.fn() };
  const table = new PartitionTable({
    kv,
    instanceId: id,
    partitions: options.partitions ?? PARTITIONS,
    leaseMs: LEASE_MS,
    log: log as unknown as Logger,
    onGained: gained,
    onLost: lost,
    clock,
    refreshMs: options.refreshMs,
  });
  return { id, table, clock, gained, lost, log };
}

/** Lets every pending KV round trip finish (the memory KV answers on later turns of the event loop). */
async function settle(): Promise<void> {
  for (let i = 0; i < 10; i++) await new Promise((resolve) => setImmediate(resolve));
}

/** Moves the live members' time on together, one renewal period at a time. */
async function run(members: Member[], ms: number): Promise<void> {
  for (let left = ms; left > 0; left -= RENEW_MS) {
    for (const m of members) m.clock.advance(Math.min(RENEW_MS, left));
    await settle();
  }
}

function owner(kv: MemoryKv, p: number): string | undefined {
  const entry = kv.peek(partitionKey(p));
  return entry?.operation === "PUT" ? decodeJson<{ owner: string }>(entry.value).owner : undefined;
}

/** Every partition owned by exactly one member, and each member's view agrees with the stored leases. */
function expectDisjointCover(kv: MemoryKv, members: Member[]): void {
  const all = members.flatMap((m) => m.table.owned);
  expect(all.sort((a, b) => a - b)).toEqual(Array.from({ length: PARTITIONS }, (_, p) => p));
  for (const m of members) for (const p of m.table.owned) expect(owner(kv, p)).toBe(m.id);
}

async function startAll(members: Member[]): Promise<void> {
  for (const m of members) await m.table.start();
}

describe("PartitionTable", () => {
  it("a lone coordinator takes every partition in its first round", async () => {
    const kv = new MemoryKv();
    const a = member(kv, "a");
    await a.table.start();
    expect(a.table.owned).toHaveLength(PARTITIONS);
    expect(a.gained).toHaveBeenCalledTimes(1);
    expect(a.gained.mock.calls[0]![0]).toHaveLength(PARTITIONS);
    expect(a.table.members).toEqual(["a"]);
    expect(decodeJson(kv.peek(partitionKey(5))!.value)).toEqual({ owner: "a" });
    await a.table.stop();
  });

  it("a round writes only the heartbeat; the partition keys and the count are written again once per refresh period", async () => {
    const kv = new MemoryKv();
    const [a, b] = [member(kv, "a", { refreshMs: 20 * RENEW_MS }), member(kv, "b", { refreshMs: 20 * RENEW_MS })];
    await startAll([a, b]);
    await run([a, b], 3 * RENEW_MS);
    expect([a.table.owned.length, b.table.owned.length]).toEqual([32, 32]);
    const [writes, count, lease] = [kv.writes, kv.peek("partitions")!.revision, kv.peek(partitionKey(0))!.revision];
    await run([a, b], 10 * RENEW_MS);
    expect(kv.writes - writes).toBe(2 * 10);
    expect(kv.peek("partitions")!.revision).toBe(count);
    // Then each owner writes its keys again (partition 0's owner the count too), so the bucket's one-day expiry never drops them.
    await run([a, b], 10 * RENEW_MS);
    expect(kv.peek(partitionKey(0))!.revision).toBeGreaterThan(lease);
    expect(kv.peek("partitions")!.revision).toBeGreaterThan(count);
    expect(decodeJson(kv.peek("partitions")!.value)).toEqual({ partitions: PARTITIONS });
    expect(kv.writes - writes).toBeLessThan(2 * 20 + PARTITIONS + 2);
    expectDisjointCover(kv, [a, b]);
    for (const m of [a, b]) await m.table.stop();
  });

  it("three coordinators end up with about a third each, every partition owned once", async () => {
    const kv = new MemoryKv();
    const members = ["a", "b", "c"].map((id) => member(kv, id));
    await startAll(members);
    await run(members, 4 * RENEW_MS);
    expectDisjointCover(kv, members);
    for (const m of members) {
      expect(m.table.members).toEqual(["a", "b", "c"]);
      expect(m.table.owned.length).toBeGreaterThanOrEqual(20);
      expect(m.table.owned.length).toBeLessThanOrEqual(22);
    }
    // Stable: more rounds change nothing.
    const before = members.map((m) => m.table.owned);
    await run(members, 6 * RENEW_MS);
    expect(members.map((m) => m.table.owned)).toEqual(before);
    for (const m of members) await m.table.stop();
  });

  it("a newcomer gets its share: the others give back their surplus gracefully", async () => {
    const kv = new MemoryKv();
    const [a, b] = [member(kv, "a"), member(kv, "b")];
    await startAll([a, b]);
    await run([a, b], 3 * RENEW_MS);
    expect([a.table.owned.length, b.table.owned.length]).toEqual([32, 32]);
    const c = member(kv, "c", { startMs: a.clock.now() });
    await c.table.start();
    await run([a, b, c], 4 * RENEW_MS);
    expectDisjointCover(kv, [a, b, c]);
    for (const m of [a, b, c]) expect(m.table.owned.length).toBeGreaterThanOrEqual(20);
    // Given back, not taken: told before the lease was released, and logged as a hand-over rather than a loss.
    expect(a.lost).toHaveBeenCalled();
    expect(a.log.error).not.toHaveBeenCalled();
    expect(c.gained.mock.calls.flatMap((call) => call[0] as number[]).sort((x, y) => x - y)).toEqual(c.table.owned);
    for (const m of [a, b, c]) await m.table.stop();
  });

  it("a dead coordinator's partitions go to the others once its heartbeat ran out, not before", async () => {
    const kv = new MemoryKv();
    const members = ["a", "b", "c"].map((id) => member(kv, id));
    await startAll(members);
    await run(members, 4 * RENEW_MS);
    const [a, b, c] = members as [Member, Member, Member];
    const orphans = c.table.owned;
    // c dies: its clock no longer moves and it renews nothing. Until its heartbeat ends, they stay its.
    await run([a, b], LEASE_MS - RENEW_MS);
    for (const p of orphans) expect(owner(kv, p)).toBe("c");
    expect(kv.peek("member.c")!.operation).toBe("PUT");
    // Then within a round or two (two takers may race for the same partition; the loser takes another next round).
    await run([a, b], 3 * RENEW_MS);
    expectDisjointCover(kv, [a, b]);
    expect(a.table.members).toEqual(["a", "b"]);
    // Its heartbeat was deleted (compare-and-set) before anything of it was taken.
    expect(kv.peek("member.c")!.operation).toBe("DEL");
    const taken = [...a.gained.mock.calls.slice(1), ...b.gained.mock.calls.slice(1)].flatMap((call) => call[0] as number[]);
    expect(taken.sort((x, y) => x - y)).toEqual(orphans);
    expect(a.log.warn).toHaveBeenCalledWith(
      expect.objectContaining({ partitions: expect.any(Array) }),
      "took over partitions whose owner's heartbeat ran out",
    );
    for (const m of [a, b]) await m.table.stop();
  });

  it("a partition whose key another coordinator wrote is given up at the next round", async () => {
    const kv = new MemoryKv();
    const a = member(kv, "a", { partitions: 4 });
    await a.table.start();
    kv.set("member.b", encodeJson({ owner: "b", untilMs: a.clock.now() + 100 * LEASE_MS }));
    kv.set(partitionKey(2), encodeJson({ owner: "b" }));
    await settle();
    await run([a], RENEW_MS);
    // b is live now, so a also gives 3 back to get down to its share of 2.
    expect(a.table.owned).toEqual([0, 1]);
    expect(a.lost).toHaveBeenCalledWith([2]);
    expect(a.log.error).toHaveBeenCalledWith({ partitions: [2] }, expect.stringMatching(/another coordinator/));
    // It leaves b's lease alone afterwards.
    await run([a], RENEW_MS);
    expect(owner(kv, 2)).toBe("b");
    expect(a.table.owns(2)).toBe(false);
    await a.table.stop();
  });

  it("a partition another coordinator created first is not counted as ours", async () => {
    const kv = new MemoryKv();
    const a = member(kv, "a", { partitions: 2 });
    kv.beforeWrite = (key) => {
      if (key !== partitionKey(1)) return;
      kv.beforeWrite = undefined;
      kv.set(key, encodeJson({ owner: "b" }));
    };
    await a.table.start();
    expect(a.table.owned).toEqual([0]);
    expect(a.log.warn).not.toHaveBeenCalled();
    await a.table.stop();
  });

  it("self-fencing: a heartbeat it could not renew before it ran out stops it acting on everything", async () => {
    const kv = new MemoryKv();
    const a = member(kv, "a", { partitions: 2 });
    await a.table.start();
    const error = new Error("no responders");
    const update = kv.update.bind(kv);
    let failing = true;
    kv.update = async (key, value, revision) => (failing ? Promise.reject(error) : update(key, value, revision));
    await run([a], RENEW_MS);
    expect(a.log.warn).toHaveBeenCalledWith({ err: error }, "could not read the partition leases (heartbeat not renewed)");
    expect(a.table.owned).toEqual([0, 1]);
    expect(a.lost).not.toHaveBeenCalled();
    // The fence runs on its own timer, at the heartbeat's end, whether or not a round is under way.
    a.clock.advance(LEASE_MS - RENEW_MS - 1);
    expect(a.table.owned).toEqual([0, 1]);
    a.clock.advance(2);
    expect(a.table.owned).toEqual([]);
    expect(a.lost).toHaveBeenCalledWith([0, 1]);
    expect(a.log.error).toHaveBeenCalledWith({ partitions: [0, 1] }, expect.stringMatching(/heartbeat before it ran out/));
    // Back: its keys still name it, so it takes them again.
    failing = false;
    await run([a], 2 * RENEW_MS);
    expect(a.table.owned).toEqual([0, 1]);
    expect(a.gained).toHaveBeenCalledTimes(2);
    await a.table.stop();
  });

  it("a coordinator declared dead (its clock behind, a stalled process) stops at its next renewal", async () => {
    const kv = new MemoryKv();
    const [a, b] = [member(kv, "a"), member(kv, "b")];
    await startAll([a, b]);
    await run([a, b], 3 * RENEW_MS);
    const mine = b.table.owned;
    // b stalls; a's time moves on past b's heartbeat, so a deletes it and takes b's partitions.
    await run([a], LEASE_MS + 2 * RENEW_MS);
    expect(a.table.owned).toHaveLength(PARTITIONS);
    expect(b.table.owned).toEqual(mine);
    // b wakes with a clock that lagged (no fence fired): its renewal finds the heartbeat gone and it stops acting on all.
    await run([b], RENEW_MS);
    expect(b.table.owned).toEqual([]);
    expect(b.lost).toHaveBeenCalledWith(mine);
    expect(b.log.error).toHaveBeenCalledWith({ partitions: mine }, expect.stringMatching(/heartbeat expired/));
    // Then (its clock caught up) it joins again as a newcomer and gets its share back from a.
    b.clock.advance(a.clock.now() - b.clock.now());
    await run([a, b], 6 * RENEW_MS);
    expectDisjointCover(kv, [a, b]);
    expect([a.table.owned.length, b.table.owned.length]).toEqual([32, 32]);
    for (const m of [a, b]) await m.table.stop();
  });

  it("a watch that ends (server restart) is opened again; while it is behind nothing is taken and unrenewed partitions are given up", async () => {
    const kv = new MemoryKv();
    const [a, b] = [member(kv, "a"), member(kv, "b")];
    kv.failNextWatch = new Error("no responders");
    // a's first watch fails: its first round waits for the view, up to a round, and takes nothing.
    const starting = a.table.start();
    await settle();
    expect(a.log.warn).toHaveBeenCalledWith({ err: expect.any(Error), key: "member.*" }, "could not watch the partition leases; retrying");
    a.clock.advance(RENEW_MS);
    await starting;
    await b.table.start();
    b.clock.advance(RENEW_MS);
    await run([a, b], 4 * RENEW_MS);
    expectDisjointCover(kv, [a, b]);
    kv.endWatches();
    await settle();
    expect(kv.watching).toBe(0);
    await run([a, b], 2 * RENEW_MS);
    expect(kv.watching).toBe(4);
    expect(a.log.warn).toHaveBeenCalledWith({ key: "partition.*" }, "the partition leases' watch ended; opening it again");
    // The reopened view carries changes: a newcomer gets its share.
    const c = member(kv, "c", { startMs: a.clock.now() });
    await c.table.start();
    await run([a, b, c], 4 * RENEW_MS);
    expectDisjointCover(kv, [a, b, c]);
    for (const m of [a, b, c]) expect(m.table.owned.length).toBeGreaterThanOrEqual(20);
    // A watch that delivers nothing: rounds count as unreadable, the heartbeat is not renewed, the partitions go at its end.
    kv.holdWatches = true;
    await run([a, b, c], 3 * RENEW_MS);
    expect(a.log.warn).toHaveBeenCalledWith("could not read the partition leases (their watch is behind)");
    await run([a, b, c], LEASE_MS + RENEW_MS);
    for (const m of [a, b, c]) expect(m.table.owned).toEqual([]);
    kv.releaseWatches();
    await run([a, b, c], 6 * RENEW_MS);
    expectDisjointCover(kv, [a, b, c]);
    for (const m of [a, b, c]) await m.table.stop();
  });

  it("partitions whose workflows cannot be resumed are given back", async () => {
    const kv = new MemoryKv();
    const a = member(kv, "a", { partitions: 2, onGained: () => Promise.reject(new Error("store down")) });
    await a.table.start();
    await settle();
    expect(a.table.owned).toEqual([]);
    expect(a.lost).toHaveBeenCalledWith([0, 1]);
    expect(owner(kv, 0)).toBeUndefined();
    await a.table.stop();
  });

  it("stop gives every partition and the heartbeat back, so another takes them on its next round", async () => {
    const kv = new MemoryKv();
    const [a, b] = [member(kv, "a"), member(kv, "b")];
    await startAll([a, b]);
    await run([a, b], 3 * RENEW_MS);
    await a.table.stop();
    expect(a.clock.pendingTimers).toBe(0);
    await settle(); // b's watch delivers a's deletes (within milliseconds in a real cluster)
    expect(kv.liveKeys().filter((k) => k.startsWith("member."))).toEqual(["member.b"]);
    await run([b], RENEW_MS);
    expect(b.table.owned).toHaveLength(PARTITIONS);
    await b.table.stop();
    expect(kv.liveKeys().filter((k) => k.startsWith("partition.") || k.startsWith("member."))).toEqual([]);
  });

  it("refuses to start with a partition count other than the cluster's", async () => {
    const kv = new MemoryKv();
    await member(kv, "a").table.start();
    const b = member(kv, "b", { partitions: 32 });
    await expect(b.table.start()).rejects.toBeInstanceOf(ConfigError);
    await expect(b.table.start()).rejects.toThrow(/TOOLMESH_PARTITIONS is 32 .* 64 partitions/);
    expect(b.table.owned).toEqual([]);
  });
});
