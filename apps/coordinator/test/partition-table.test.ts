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
function member(kv: MemoryKv, id: string, options: { partitions?: number; onGained?: (p: number[]) => Promise<void> } = {}): Member {
  const clock = new TestClock();
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
    // The count is written again every round by partition 0's owner, so it outlives the bucket's key expiry.
    const count = kv.peek("partitions")!.revision;
    await run([a], RENEW_MS);
    expect(kv.peek("partitions")!.revision).toBeGreaterThan(count);
    expect(decodeJson(kv.peek("partitions")!.value)).toEqual({ partitions: PARTITIONS });
    await a.table.stop();
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
    const c = member(kv, "c");
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

  it("a dead coordinator's partitions go to the others once its leases ran out, not before", async () => {
    const kv = new MemoryKv();
    const members = ["a", "b", "c"].map((id) => member(kv, id));
    await startAll(members);
    await run(members, 4 * RENEW_MS);
    const [a, b, c] = members as [Member, Member, Member];
    const orphans = c.table.owned;
    // c dies: its clock no longer moves and it renews nothing. Until its leases end, they stay its.
    await run([a, b], LEASE_MS - RENEW_MS);
    for (const p of orphans) expect(owner(kv, p)).toBe("c");
    // Then within a round or two (two takers may race for the same partition; the loser takes another next round).
    await run([a, b], 3 * RENEW_MS);
    expectDisjointCover(kv, [a, b]);
    expect(a.table.members).toEqual(["a", "b"]);
    const taken = [...a.gained.mock.calls.slice(1), ...b.gained.mock.calls.slice(1)].flatMap((call) => call[0] as number[]);
    expect(taken.sort((x, y) => x - y)).toEqual(orphans);
    expect(a.log.warn).toHaveBeenCalledWith(
      expect.objectContaining({ partitions: expect.any(Array) }),
      "took over partitions whose leases expired",
    );
    for (const m of [a, b]) await m.table.stop();
  });

  it("a renewal that loses the compare-and-set gives that partition up at once", async () => {
    const kv = new MemoryKv();
    const a = member(kv, "a", { partitions: 4 });
    await a.table.start();
    kv.beforeWrite = (key) => {
      if (key !== partitionKey(2)) return;
      kv.beforeWrite = undefined;
      kv.set(key, encodeJson({ owner: "b", untilMs: a.clock.now() + LEASE_MS }));
    };
    await run([a], RENEW_MS);
    expect(a.table.owned).toEqual([0, 1, 3]);
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
      kv.set(key, encodeJson({ owner: "b", untilMs: a.clock.now() + LEASE_MS }));
    };
    await a.table.start();
    expect(a.table.owned).toEqual([0]);
    expect(a.log.warn).not.toHaveBeenCalled();
    await a.table.stop();
  });

  it("leases it could not renew before they ran out are given up; a failed read changes nothing else", async () => {
    const kv = new MemoryKv();
    const a = member(kv, "a", { partitions: 2 });
    await a.table.start();
    const error = new Error("no responders");
    const get = kv.get.bind(kv);
    let failing = true;
    kv.get = async (key) => (failing ? Promise.reject(error) : get(key));
    await run([a], RENEW_MS);
    expect(a.log.warn).toHaveBeenCalledWith({ err: error }, "could not read the partition leases");
    expect(a.table.owned).toEqual([0, 1]);
    await run([a], LEASE_MS);
    expect(a.table.owned).toEqual([]);
    expect(a.lost).toHaveBeenCalledWith([0, 1]);
    failing = false;
    await run([a], RENEW_MS);
    expect(a.table.owned).toEqual([0, 1]);
    await a.table.stop();
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

  it("stop gives every lease and the heartbeat back, so another takes them on its next round", async () => {
    const kv = new MemoryKv();
    const [a, b] = [member(kv, "a"), member(kv, "b")];
    await startAll([a, b]);
    await run([a, b], 3 * RENEW_MS);
    await a.table.stop();
    expect(a.clock.pendingTimers).toBe(0);
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
