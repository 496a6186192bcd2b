import { JetStreamApiCodes } from "@nats-io/jetstream";
import { ConfigError, decodeJson, encodeJson, isJetStreamApiError, type Logger } from "@toolmesh/core";
import { systemClock, type Clock, type TimerHandle } from "../workflow/clock.js";
import { LeaseView, type LeaseEntry, type LeaseWatch } from "./lease-view.js";

export type { LeaseEntry, LeaseWatch, LeaseWatchEntry } from "./lease-view.js";

/** A member's heartbeat: who, and until when it counts as live. */
interface Heartbeat {
  owner: string;
  untilMs: number;
}

/**
 * What the partition table needs of a KV bucket (a NATS KV is one):
 * compare-and-set writes that fail with JetStream's wrong-last-sequence error
 * when another writer got there first, plain puts, and a watch of the lease
 * keys. Narrow, so tests can hold the leases in memory.
 */
export interface LeaseKv {
  get(key: string): Promise<LeaseEntry | null>;
  create(key: string, value: Uint8Array): Promise<number>;
  update(key: string, value: Uint8Array, revision: number): Promise<number>;
  put(key: string, value: Uint8Array): Promise<number>;
  delete(key: string, options: { previousSeq: number }): Promise<void>;
  watch(options: { key: string }): Promise<LeaseWatch>;
}

export interface PartitionTableOptions {
  kv: LeaseKv;
  instanceId: string;
  /** How many partitions the workflows are spread over; the same on every coordinator (checked at start). */
  partitions: number;
  /** How long a heartbeat lasts without renewal; renewed every third of it. */
  leaseMs: number;
  log: Logger;
  /** Partitions this coordinator now owns: resume their workflows. A rejection gives them back. */
  onGained(partitions: number[]): Promise<void>;
  /** Partitions this coordinator no longer owns: stop acting on them at once (awaited before a graceful release). */
  onLost(partitions: number[]): Promise<void> | void;
  /** Lease times and the renewal timer; the system clock unless a test drives time. */
  clock?: Clock;
  /** How often the owner writes its partition keys (and partition 0's owner the count) again, so the bucket's one-day expiry never drops them. */
  refreshMs?: number;
}

const COUNT_KEY = "partitions";
const REFRESH_MS = 60 * 60 * 1000;
export const partitionKey = (p: number): string => `partition.${String(p)}`;
const memberKey = (instanceId: string): string => `member.${instanceId}`;
const isLostRace = (err: unknown): boolean =>
  isJetStreamApiError(err, JetStreamApiCodes.StreamWrongLastSequence, JetStreamApiCodes.StreamWrongLastSequenceUnknown);
const ownerOf = (entry: LeaseEntry | null): string | undefined =>
  entry?.operation === "PUT" ? decodeJson<{ owner: string }>(entry.value).owner : undefined;

/**
 * Partitions of the workflows shared out among the live coordinators. Each
 * coordinator writes one heartbeat `member.<id>` = {owner, untilMs} per round
 * (compare-and-set on its revision); `partition.<n>` = {owner} is written
 * only when ownership changes. A partition is its owner's while the owner's
 * heartbeat is live. Each coordinator aims for ceil(partitions / live
 * members): it takes free partitions up to that share and gives surplus ones
 * back (so a newcomer gets its share). A dead member's partitions are taken
 * after its heartbeat ran out, by first deleting that heartbeat with
 * compare-and-set: if the member renewed meanwhile the delete fails and
 * nothing is taken; if the delete wins, the member's next renewal fails and
 * it stops acting on everything. The keys are read from a watch (LeaseView),
 * not per round. Clocks of coordinators are assumed to agree to well under a
 * lease (NTP).
 */
export class PartitionTable {
  readonly #opts: PartitionTableOptions;
  readonly #clock: Clock;
  /** Heartbeats and partition keys, each from a watch of its own. */
  readonly #beats: LeaseView;
  readonly #view: LeaseView;
  /** Owned partitions and the revision of our last write of each. */
  readonly #owned = new Map<number, number>();
  #members: string[] = [];
  /** Our heartbeat's revision (undefined: not registered) and until when it makes us live. */
  #beatRevision?: number;
  #beatUntil = 0;
  #lastRefresh = 0;
  #timer?: TimerHandle;
  #fence?: TimerHandle;
  #stopped = false;

  constructor(options: PartitionTableOptions) {
    this.#opts = options;
    this.#clock = options.clock ?? systemClock;
    const open = (key: string): Promise<LeaseWatch> => options.kv.watch({ key });
    this.#beats = new LeaseView(open, "member.*", this.#clock, options.log);
    this.#view = new LeaseView(open, "partition.*", this.#clock, options.log);
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
    this.#lastRefresh = this.#clock.now();
    await Promise.all([this.#beats.start(), this.#view.start()]);
    await this.#tick();
    this.#schedule();
  }

  /** Stops acting on its partitions and gives every one back, so the others need not wait for its heartbeat to expire. */
  async stop(): Promise<void> {
    this.#stopped = true;
    this.#clock.clearTimeout(this.#timer);
    this.#clock.clearTimeout(this.#fence);
    this.#beats.stop();
    this.#view.stop();
    const owned = [...this.#owned];
    this.#owned.clear();
    // Stop acting on them before anyone else may take them.
    if (owned.length > 0)
      await Promise.resolve(this.#opts.onLost(owned.map(([p]) => p))).catch((err: unknown) =>
        this.#opts.log.error({ err }, "stopping partitions failed"),
      );
    await Promise.all(owned.map(([p, revision]) => this.#release(p, revision)));
    if (this.#beatRevision !== undefined)
      await this.#opts.kv.delete(memberKey(this.#opts.instanceId), { previousSeq: this.#beatRevision }).catch(() => undefined);
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

  get #roundMs(): number {
    return Math.max(100, Math.floor(this.#opts.leaseMs / 3));
  }

  #schedule(): void {
    if (this.#stopped) return;
    this.#timer = this.#clock.setTimeout(() => {
      void this.#tick().finally(() => this.#schedule());
    }, this.#roundMs);
  }

  /** One round: check the view is current, renew the heartbeat, drop what is lost, take or give back to reach the share. */
  async #tick(): Promise<void> {
    const { kv, instanceId, leaseMs, log } = this.#opts;
    // The heartbeats' view must have seen our last one: then it lags by under a round.
    if (this.#beatRevision !== undefined && !(await this.#beats.reach(this.#beatRevision, this.#roundMs))) {
      log.warn("could not read the partition leases (their watch is behind)");
      this.#expireUnrenewed(this.#clock.now());
      return;
    }
    // Read after the wait: the heartbeat's end counts from just before it is written.
    const now = this.#clock.now();
    const beat = encodeJson({ owner: instanceId, untilMs: now + leaseMs } satisfies Heartbeat);
    const registering = this.#beatRevision === undefined;
    try {
      this.#beatRevision = registering
        ? await kv.put(memberKey(instanceId), beat)
        : await kv.update(memberKey(instanceId), beat, this.#beatRevision!);
    } catch (err) {
      if (isLostRace(err)) {
        // Another coordinator found our heartbeat expired and deleted it to take our partitions.
        this.#beatRevision = undefined;
        this.#drop(this.owned, "another coordinator found this one's heartbeat expired");
      } else log.warn({ err }, "could not read the partition leases (heartbeat not renewed)");
      this.#expireUnrenewed(this.#clock.now());
      return;
    }
    if (this.#stopped) return;
    this.#renewedUntil(now + leaseMs);
    if (registering && !(await this.#beats.reach(this.#beatRevision, this.#roundMs))) {
      log.warn("could not read the partition leases (their watch has not caught up)");
      return;
    }
    if (this.#stopped) return;
    this.#members = this.#liveMembers(now);
    this.#dropTaken();
    await this.#refresh(now);
    await this.#rebalance(now);
  }

  /** Our heartbeat was renewed: we may act on our partitions until `untilMs`, and stop by ourselves then unless renewed again. */
  #renewedUntil(untilMs: number): void {
    this.#beatUntil = untilMs;
    this.#clock.clearTimeout(this.#fence);
    this.#fence = this.#clock.setTimeout(() => this.#expireUnrenewed(this.#clock.now()), untilMs - this.#clock.now() + 1);
  }

  /** Members whose heartbeat has not run out. */
  #liveMembers(now: number): string[] {
    const live = new Set<string>([this.#opts.instanceId]);
    for (const [, entry] of this.#beats.entries("member.")) {
      const beat = decodeJson<Heartbeat>(entry.value);
      if (beat.untilMs >= now) live.add(beat.owner);
    }
    return [...live].sort();
  }

  /** Partitions whose key someone else wrote after us (not part of the protocol, but never act on them). */
  #dropTaken(): void {
    const taken = [...this.#owned]
      .filter(([p, revision]) => {
        const entry = this.#view.get(partitionKey(p));
        return entry !== null && entry.revision > revision && ownerOf(entry) !== this.#opts.instanceId;
      })
      .map(([p]) => p);
    this.#drop(taken, "another coordinator holds these partitions now");
  }

  /** Writes our partition keys (and the count) again now and then, so the bucket's key expiry never drops them. */
  async #refresh(now: number): Promise<void> {
    const { kv, instanceId, partitions, refreshMs = REFRESH_MS } = this.#opts;
    if (now - this.#lastRefresh < refreshMs) return;
    this.#lastRefresh = now;
    const lost: number[] = [];
    await Promise.all(
      [...this.#owned].map(async ([p, revision]) => {
        try {
          const written = await kv.update(partitionKey(p), encodeJson({ owner: instanceId }), revision);
          if (this.#owned.has(p)) this.#owned.set(p, written);
        } catch (err) {
          if (isLostRace(err)) lost.push(p);
          else this.#opts.log.warn({ err, partition: p }, "could not refresh a partition key");
        }
      }),
    );
    this.#drop(lost, "another coordinator holds these partitions now");
    if (this.#owned.has(0)) await kv.put(COUNT_KEY, encodeJson({ partitions })).catch(() => undefined);
  }

  async #rebalance(now: number): Promise<void> {
    const { instanceId, partitions, log } = this.#opts;
    const share = Math.ceil(partitions / this.#members.length);
    const surplus = this.#owned.size - share;
    if (surplus > 0) {
      // Give back the highest-numbered ones first: whoever is short takes them on its next round.
      const given = this.owned.slice(-surplus).map((p) => [p, this.#owned.get(p)!] as const);
      this.#drop(
        given.map(([p]) => p),
        undefined,
      );
      await this.#opts.onLost(given.map(([p]) => p));
      await Promise.all(given.map(([p, revision]) => this.#release(p, revision)));
      log.info({ partitions: given.map(([p]) => p), share }, "gave partitions back for a newcomer");
      return;
    }
    const free: number[] = [];
    const leftovers: number[] = [];
    /** Owners whose heartbeat ran out, with its revision: deleted before their partitions are taken. */
    const expired = new Map<string, number>();
    for (let p = 0; p < partitions; p++) {
      if (this.#owned.has(p)) continue;
      const entry = this.#view.get(partitionKey(p));
      const owner = ownerOf(entry);
      if (owner === undefined) free.push(p);
      else if (owner === instanceId)
        leftovers.push(p); // ours from before we were declared dead: take again or give back
      else {
        const beat = this.#beats.get(memberKey(owner));
        // No heartbeat: free, once the heartbeats' view is as recent as the key (an owner registers before it takes).
        if (beat?.operation !== "PUT") {
          if (this.#beats.current(entry!.revision)) free.push(p);
        } else if (decodeJson<Heartbeat>(beat.value).untilMs < now) {
          expired.set(owner, beat.revision);
          free.push(p);
        }
      }
    }
    // Start at a place of our own, so coordinators starting together try different partitions first.
    const offset = [...instanceId].reduce((h, c) => (h * 31 + c.charCodeAt(0)) >>> 0, 7) % Math.max(1, free.length);
    const room = Math.max(0, share - this.#owned.size);
    const wanted = [...leftovers, ...free.slice(offset), ...free.slice(0, offset)].slice(0, room);
    const fromOthers = new Set(wanted.filter((p) => ![undefined, instanceId].includes(ownerOf(this.#view.get(partitionKey(p))))));
    const gained = await this.#take(wanted, expired);
    // Leftovers we have no room for: give them back so others can take them.
    await Promise.all(leftovers.filter((p) => !wanted.includes(p)).map((p) => this.#release(p, this.#view.get(partitionKey(p))!.revision)));
    if (this.#stopped || gained.length === 0) return;
    gained.sort((a, b) => a - b);
    const takenOver = gained.filter((p) => fromOthers.has(p));
    if (takenOver.length > 0) log.warn({ partitions: takenOver }, "took over partitions whose owner's heartbeat ran out");
    log.info({ partitions: gained, share, members: this.#members.length }, "gained partitions");
    // Not awaited: the next round must not wait for the workflows to be resumed.
    this.#opts.onGained(gained).catch((err: unknown) => {
      log.error({ err, partitions: gained }, "could not take over the partitions' workflows; giving them back");
      const revisions = gained.map((p) => [p, this.#owned.get(p)] as const);
      this.#drop(gained, "their workflows could not be resumed");
      for (const [p, revision] of revisions) if (revision !== undefined) void this.#release(p, revision);
    });
  }

  /** Takes partitions with compare-and-set on their keys, after deleting the expired heartbeats of their owners. */
  async #take(wanted: number[], expired: Map<string, number>): Promise<number[]> {
    const { kv, instanceId, log } = this.#opts;
    const killed = new Map<string, Promise<boolean>>();
    const kill = (owner: string, revision: number): Promise<boolean> => {
      let done = killed.get(owner);
      if (!done) {
        done = kv.delete(memberKey(owner), { previousSeq: revision }).then(
          () => true,
          (err: unknown) => {
            // A lost race: it renewed after all, or another coordinator deleted it first (next round sees which).
            if (!isLostRace(err)) log.warn({ err, member: owner }, "could not remove an expired heartbeat");
            return false;
          },
        );
        killed.set(owner, done);
      }
      return done;
    };
    const gained: number[] = [];
    const value = encodeJson({ owner: instanceId });
    await Promise.all(
      wanted.map(async (p) => {
        const entry = this.#view.get(partitionKey(p));
        const owner = ownerOf(entry);
        const beatRevision = owner === undefined ? undefined : expired.get(owner);
        if (beatRevision !== undefined && !(await kill(owner!, beatRevision))) return;
        try {
          const revision = entry ? await kv.update(partitionKey(p), value, entry.revision) : await kv.create(partitionKey(p), value);
          if (this.#stopped) return;
          this.#owned.set(p, revision);
          gained.push(p);
        } catch (err) {
          // A lost race: another coordinator took it first, which is fine.
          if (!isLostRace(err)) log.warn({ err, partition: p }, "could not take a partition");
        }
      }),
    );
    return gained;
  }

  /** A heartbeat we could not renew before it ran out: another coordinator may take our partitions now, so stop acting on them. */
  #expireUnrenewed(now: number): void {
    if (now <= this.#beatUntil) return;
    this.#drop(this.owned, "could not renew this coordinator's heartbeat before it ran out");
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

  /** Deletes a partition key if it is still as we last wrote it (never a successor's). */
  async #release(p: number, revision: number): Promise<void> {
    await this.#opts.kv.delete(partitionKey(p), { previousSeq: revision }).catch(() => undefined);
  }
}
