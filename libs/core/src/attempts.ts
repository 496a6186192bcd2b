import { jetstream } from "@nats-io/jetstream";
import { Kvm, type KV } from "@nats-io/kv";
import type { NatsConnection } from "@nats-io/transport-node";
import { jetStreamReplicas } from "./js-replicas.js";
import { Buckets } from "./nats-roles.js";

/** Ledger entries outlive any attempt's deadline; the bucket forgets them a day after their last write. */
const ATTEMPTS_TTL_MS = 24 * 60 * 60 * 1000;

/**
 * An attempt's key in TM_ATTEMPTS: `<pool>.<workflowId>.<taskId>.<attempt>`,
 * so a pool's role may be granted only its own `<pool>.>` keys. Ids are
 * [A-Za-z0-9_-] (libs/spec/src/ids.ts) but a fan-out item's
 * task id is `<id>[<n>]`, and brackets are not KV key characters: it is
 * written `<id>=<n>` (`=` is, and no id contains it), keeping four tokens.
 */
export function attemptKey(pool: string, workflowId: string, taskId: string, attempt: number): string {
  return `${pool}.${workflowId}.${taskId.replace(/\[(\d+)\]$/, "=$1")}.${attempt}`;
}

/** The attempt ledger's bucket, made by the coordinator at start with the streams (history 1, 24 h). */
export async function ensureAttemptsBucket(nc: NatsConnection): Promise<KV> {
  return new Kvm(nc).create(Buckets.attempts, { history: 1, ttl: ATTEMPTS_TTL_MS, storage: "file", replicas: jetStreamReplicas() });
}

/**
 * A ledger call waits this long for the server. A request sent while the
 * server is down is not failed by the client, only timed out, and the
 * default 5 s would keep a finished attempt's result unrecorded for that
 * long after the server is back; every ledger write is a compare-and-set,
 * so a retry of one that did land is recognised.
 */
const LEDGER_TIMEOUT_MS = 1500;

/**
 * The ledger's bucket as a worker opens it. The coordinator makes it; a
 * worker that finds none (a coordinator from before the ledger) makes it
 * when its login may (Kvm.create only reads the stream's info when it
 * exists), and otherwise keeps asking.
 */
export async function openAttemptsBucket(nc: NatsConnection): Promise<KV> {
  return new Kvm(jetstream(nc, { timeout: LEDGER_TIMEOUT_MS })).create(Buckets.attempts, {
    history: 1,
    ttl: ATTEMPTS_TTL_MS,
    storage: "file",
    replicas: jetStreamReplicas(),
  });
}
