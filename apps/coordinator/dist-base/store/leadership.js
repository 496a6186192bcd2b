import { JetStreamApiCodes } from "@nats-io/jetstream";
import { decodeJson, encodeJson, isJetStreamApiError } from "@toolmesh/core";
import { systemClock } from "../workflow/clock.js";
const LEADER_KEY = "leader";
/**
 * One active coordinator at a time: the lease is a KV key updated with
 * compare-and-set on its revision. The holder renews it; a standby takes it
 * over once it has expired (the holder died or hung). Clocks of replicas are
 * assumed to agree to well under a lease (NTP).
 */
export class Leadership {
    #opts;
    #clock;
    #timer;
    #leader = false;
    #holder;
    #stopped = false;
    constructor(options) {
        this.#opts = options;
        this.#clock = options.clock ?? systemClock;
    }
    get isLeader() {
        return this.#leader;
    }
    /** The instance that held the lease when last seen. */
    get holder() {
        return this.#holder;
    }
    /** Starts campaigning; resolves after the first attempt (leader or standby). */
    async start() {
        await this.#tick();
        this.#schedule();
    }
    /** Waits until this replica leads, or `timeoutMs` passes. */
    async waitForLeadership(timeoutMs) {
        const until = this.#clock.now() + timeoutMs;
        while (!this.#leader && this.#clock.now() < until && !this.#stopped)
            await new Promise((resolve) => this.#clock.setTimeout(resolve, 100));
        return this.#leader;
    }
    /** Stops renewing; a leader gives its lease up so a standby need not wait for it to expire. */
    async stop() {
        this.#stopped = true;
        this.#clock.clearTimeout(this.#timer);
        if (!this.#leader)
            return;
        this.#leader = false;
        const entry = await this.#opts.kv.get(LEADER_KEY).catch(() => null);
        if (entry?.operation === "PUT" && decodeJson(entry.value).owner === this.#opts.instanceId) {
            await this.#opts.kv.delete(LEADER_KEY, { previousSeq: entry.revision }).catch(() => undefined);
        }
    }
    #schedule() {
        if (this.#stopped)
            return;
        this.#timer = this.#clock.setTimeout(() => {
            void this.#tick().finally(() => this.#schedule());
        }, Math.max(100, Math.floor(this.#opts.leaseMs / 3)));
    }
    async #tick() {
        const { kv, instanceId, leaseMs } = this.#opts;
        const lease = encodeJson({ owner: instanceId, untilMs: this.#clock.now() + leaseMs });
        let entry;
        try {
            entry = await kv.get(LEADER_KEY);
        }
        catch (err) {
            this.#opts.log.warn({ err }, "could not read the leader lease");
            return;
        }
        try {
            if (!entry || entry.operation !== "PUT") {
                if (entry)
                    await kv.update(LEADER_KEY, lease, entry.revision);
                else
                    await kv.create(LEADER_KEY, lease);
                await this.#elected();
                return;
            }
            const current = decodeJson(entry.value);
            this.#holder = current.owner;
            if (current.owner === instanceId) {
                await kv.update(LEADER_KEY, lease, entry.revision);
                if (!this.#leader)
                    await this.#elected();
            }
            else if (this.#leader) {
                this.#lost(current.owner);
            }
            else if (current.untilMs < this.#clock.now()) {
                await kv.update(LEADER_KEY, lease, entry.revision);
                this.#opts.log.warn({ previous: current.owner }, "the leader's lease expired; taking over");
                await this.#elected();
            }
        }
        catch (err) {
            if (!isJetStreamApiError(err, JetStreamApiCodes.StreamWrongLastSequence, JetStreamApiCodes.StreamWrongLastSequenceUnknown)) {
                this.#opts.log.warn({ err }, "could not write the leader lease");
            }
            else if (this.#leader) {
                // A failed compare-and-set: someone else wrote the lease first.
                this.#lost("another replica");
            }
        }
    }
    async #elected() {
        if (this.#stopped)
            return;
        this.#leader = true;
        this.#holder = this.#opts.instanceId;
        this.#opts.log.info({ instanceId: this.#opts.instanceId }, "elected leader");
        // Not awaited: renewing the lease must not wait for the workflows to be resumed.
        this.#opts.onElected().catch((err) => {
            this.#opts.log.fatal({ err }, "could not take over the workflows");
            this.#opts.onLost();
        });
    }
    #lost(to) {
        this.#leader = false;
        this.#opts.log.error({ to }, "lost the leader lease");
        this.#opts.onLost();
    }
}
//# sourceMappingURL=leadership.js.map