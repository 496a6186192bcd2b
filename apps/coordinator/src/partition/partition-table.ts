import { JetStreamApiCodes } from "@nats-io/jetstream";
import { ConfigError, decodeJson, encodeJson, isJetStreamApiError, type Logger } from "@toolmesh/core";
import { systemClock, type Clock, type TimerHandle } from "../workflow/clock.js";

/** A lease record (a partition's, or a member's heartbeat): who, and until when. */
interface Lease {
  owner: string;
  untilMs: number;
}

/** A stored version of a key, as the KV bucket returns it. */
export interface LeaseEntry {
  operation: "PUT" | "DEL" | "PURGE";
  value: Uint8Array;
  revision: number;
}

/**
 * What the leases need of a KV bucket (a NATS KV is one): compare-and-set
 * writes that fail with JetStream's wrong-last-sequence error when another
 * writer got there first, plain puts for heartbeats, and a key listing.
 * Narrow, so tests can hold the leases in memory.
 */
export interface LeaseKv {
  get(key: string): Promise<LeaseEntry | null>;
  create(key: string, value: Uint8Array): Promise<number>;
  update(key: string, value: Uint8Array, revision: number): Promise<number>;
  put(key: string, value: Uint8Array): Promise<number>;
  delete(key: string, options: { previousSeq: number }): Promise<void>;
  keys(filter: string): Promise<AsyncIterable<string>>;
}

export interface PartitionTableOptions {
  kv: LeaseKv;
  instanceId: string;
  /** How many partitions the workflows are spread over; the same on every coordinator (checked at start). */
  partitions: number;
  /** How long a lease (and a heartbeat) lasts without renewal; renewed every third of it. */
  leaseMs: number;
  log: Logger;
  /** Partitions this coordinator now owns: resume their workflows. A rejection gives them back. */
  onGained(partitions: number[]): Promise<void>;
  /** Partitions this coordinator no longer owns: stop acting on them at once (awaited before a graceful release). */
  onLost(partitions: number[]): Promise<void> | void;
  /** Lease times and the renewal timer; the system clock unless a test drives time. */
  clock?: Clock;
}

const COUNT_KEY = "partitions";
export const partitionKey = (p: number): string => `partition.${String(p)}`;
const memberKey = (instanceId: string): string => `member.${instanceId}`;
const isLostRace = (err: unknown): boolean =>
  isJetStreamApiError(err, JetStreamApiCodes.StreamWrongLastSequence, JetStreamApiCodes.StreamWrongLastSequenceUnknown);

/**
 * Partitions of the workflows shared out among the live coordinators: one
 * lease per partition, a KV key updated with compare-and-set on its
 * revision, and one heartbeat per coordinator. Each coordinator aims for
 * ceil(partitions / live members): it takes free or expired partitions up to
 * that share and gives surplus ones back (so a newcomer gets its share), and
 * takes a dead one's partitions once their leases run out. Clocks of
 * coordinators are assumed to agree to well under a lease (NTP).
 */
export class PartitionTable {
  readonly #opts: PartitionTableOptions;
  readonly #clock: Clock;
  /** Owned partitions and the revision and expiry of our last write of each. */
  readonly #owned = new Map<number, { revision: number; untilMs: number }>();
  #members: string[] = [];
  #timer?: TimerHandle;
  #stopped = false;

  constructor(options: PartitionTableOptions) {
    this.#opts = options;
    this.#clock = options.clock ?? systemClock;
  }

  /** The partitions this coordinator owns now. */
  get owned(): number[] {
    return [...this.#owned.keys()].sort((a, b) => a - b);
  }

  owns(partition: number): boolean {
    return this.#owned.has(partition);
  }

  /** Live coordinators when last seen (this one included). */
  get members(): readonly string[] {
    return this.#members;
  }

  /** Checks the partition count against the cluster's, then takes a first share; resolves after the first round. */
  async start(): Promise<void> {
    await this.#checkCount();
    await this.#tick();
    this.#schedule();
  }

  /** Stops acting on its partitions and gives every lease back, so the others need not wait for them to expire. */
  async stop(): Promise<void> {
    this.#stopped = true;
    this.#clock.clearTimeout(this.#timer);
    const owned = this.owned;
    this.#owned.clear();
    // Stop acting on them before anyone else may take them.
    if (owned.length > 0)
      await Promise.resolve(this.#opts.onLost(owned)).catch((err: unknown) => this.#opts.log.error({ err }, "stopping partitions failed"));
    await Promise.all(owned.map((p) => this.#release(p)));
    const entry = await this.#opts.kv.get(memberKey(this.#opts.instanceId)).catch(() => null);
    if (entry?.operation === "PUT")
      await this.#opts.kv.delete(memberKey(this.#opts.instanceId), { previousSeq: entry.revision }).catch(() => undefined);
  }

  async #checkCount(): Promise<void> {
    const { kv, partitions } = this.#opts;
    const entry = await kv.get(COUNT_KEY);
    if (entry?.operation === "PUT") {
      const stored = decodeJson<{ partitions: number }>(entry.value).partitions;
      if (stored !== partitions)
        throw new ConfigError("coordinator", [
          `TOOLMESH_PARTITIONS is ${String(partitions)} but the cluster's workflows are spread over ${String(stored)} partitions: set it to ${String(stored)} on every coordinator`,
        ]);
      return;
    }
    try {
      await kv.create(COUNT_KEY, encodeJson({ partitions }));
    } catch (err) {
      if (!isLostRace(err)) throw err;
      await this.#checkCount(); // another coordinator wrote it first: compare with that
    }
  }

  #schedule(): void {
    if (this.#stopped) return;
    this.#timer = this.#clock.setTimeout(
      () => {
        void this.#tick().finally(() => this.#schedule());
      },
      Math.max(100, Math.floor(this.#opts.leaseMs / 3)),
    );
  }

  /** One round: heartbeat, read the leases, renew ours, drop what is lost, take or give back to reach the share. */
  async #tick(): Promise<void> {
    const { kv, instanceId, leaseMs, partitions, log } = this.#opts;
    const now = this.#clock.now();
    const mine = encodeJson({ owner: instanceId, untilMs: now + leaseMs } satisfies Lease);
    let entries: Array<LeaseEntry | null>;
    try {
      await kv.put(memberKey(instanceId), mine);
      // The bucket's keys expire a day after their last write: partition 0's owner keeps the count alive.
      if (this.#owned.has(0)) await kv.put(COUNT_KEY, encodeJson({ partitions }));
      this.#members = await this.#liveMembers(now);
      entries = await Promise.all(Array.from({ length: partitions }, (_, p) => kv.get(partitionKey(p))));
    } catch (err) {
      log.warn({ err }, "could not read the partition leases");
      this.#expireUnrenewed(now);
      return;
    }
    if (this.#stopped) return;
    const lost: number[] = [];
    const free: number[] = [];
    const renewals: Array<Promise<void>> = [];
    entries.forEach((entry, p) => {
      const lease = entry?.operation === "PUT" ? decodeJson<Lease>(entry.value) : undefined;
      if (this.#owned.has(p)) {
        if (!entry || lease?.owner !== instanceId) lost.push(p);
        else renewals.push(this.#write(p, () => kv.update(partitionKey(p), mine, entry.revision), now + leaseMs, lost));
      } else if (!lease || lease.untilMs < now) free.push(p);
    });
    await Promise.all(renewals);
    this.#expireUnrenewed(now);
    this.#drop(lost, "another coordinator holds these partitions now");
    await this.#rebalance(free, entries, mine, now + leaseMs);
  }

  /** Members whose heartbeat has not run out. */
  async #liveMembers(now: number): Promise<string[]> {
    const live = new Set<string>([this.#opts.instanceId]);
    const keys: string[] = [];
    for await (const key of await this.#opts.kv.keys("member.*")) keys.push(key);
    const entries = await Promise.all(keys.map((key) => this.#opts.kv.get(key)));
    for (const entry of entries)
      if (entry?.operation === "PUT") {
        const beat = decodeJson<Lease>(entry.value);
        if (beat.untilMs >= now) live.add(beat.owner);
      }
    return [...live].sort();
  }

  async #rebalance(free: number[], entries: Array<LeaseEntry | null>, lease: Uint8Array, untilMs: number): Promise<void> {
    const share = Math.ceil(this.#opts.partitions / this.#members.length);
    const surplus = this.#owned.size - share;
    if (surplus > 0) {
      // Give back the highest-numbered ones first: whoever is short takes them on its next round.
      const given = this.owned.slice(-surplus);
      this.#drop(given, undefined);
      await this.#opts.onLost(given);
      await Promise.all(given.map((p) => this.#release(p)));
      this.#opts.log.info({ partitions: given, share }, "gave partitions back for a newcomer");
      return;
    }
    // Start at a place of our own, so coordinators starting together try different partitions first.
    const offset = [...this.#opts.instanceId].reduce((h, c) => (h * 31 + c.charCodeAt(0)) >>> 0, 7) % Math.max(1, free.length);
    const wanted = [...free.slice(offset), ...free.slice(0, offset)].slice(0, Math.max(0, share - this.#owned.size));
    const gained: number[] = [];
    const { kv } = this.#opts;
    await Promise.all(
      wanted.map(async (p) => {
        const entry = entries[p];
        try {
          const revision = entry ? await kv.update(partitionKey(p), lease, entry.revision) : await kv.create(partitionKey(p), lease);
          if (this.#stopped) return;
          this.#owned.set(p, { revision, untilMs });
          gained.push(p);
        } catch (err) {
          // A lost race: another coordinator took it first, which is fine.
          if (!isLostRace(err)) this.#opts.log.warn({ err, partition: p }, "could not take a partition");
        }
      }),
    );
    if (gained.length === 0) return;
    gained.sort((a, b) => a - b);
    const expired = gained.filter((p) => entries[p]?.operation === "PUT");
    if (expired.length > 0) this.#opts.log.warn({ partitions: expired }, "took over partitions whose leases expired");
    this.#opts.log.info({ partitions: gained, share, members: this.#members.length }, "gained partitions");
    // Not awaited: renewing the leases must not wait for the workflows to be resumed.
    this.#opts.onGained(gained).catch((err: unknown) => {
      this.#opts.log.error({ err, partitions: gained }, "could not take over the partitions' workflows; giving them back");
      this.#drop(gained, "their workflows could not be resumed");
      void Promise.all(gained.map((p) => this.#release(p)));
    });
  }

  async #write(p: number, write: () => Promise<number>, untilMs: number, lost: number[]): Promise<void> {
    try {
      const revision = await write();
      const held = this.#owned.get(p);
      if (held) Object.assign(held, { revision, untilMs });
    } catch (err) {
      // A failed compare-and-set: someone else wrote the lease first.
      if (isLostRace(err)) lost.push(p);
      else this.#opts.log.warn({ err, partition: p }, "could not renew a partition lease");
    }
  }

  /** A lease we could not renew before it ran out may be someone else's now: stop acting on it. */
  #expireUnrenewed(now: number): void {
    this.#drop(
      [...this.#owned].filter(([, held]) => held.untilMs < now).map(([p]) => p),
      "could not renew these partitions' leases before they ran out",
    );
  }

  /** Forgets partitions; `why` set: they were taken from us (the callback is told at once). */
  #drop(partitions: number[], why: string | undefined): void {
    const dropped = partitions.filter((p) => this.#owned.delete(p));
    if (dropped.length === 0 || why === undefined) return;
    this.#opts.log.error({ partitions: dropped }, `lost partitions: ${why}`);
    void Promise.resolve(this.#opts.onLost(dropped)).catch((err: unknown) =>
      this.#opts.log.error({ err }, "stopping lost partitions failed"),
    );
  }

  /** Deletes a lease if it is still ours (never a successor's). */
  async #release(p: number): Promise<void> {
    const { kv, instanceId } = this.#opts;
    const entry = await kv.get(partitionKey(p)).catch(() => null);
    if (entry?.operation === "PUT" && decodeJson<Lease>(entry.value).owner === instanceId)
      await kv.delete(partitionKey(p), { previousSeq: entry.revision }).catch(() => undefined);
  }
}
