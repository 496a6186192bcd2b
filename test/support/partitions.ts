import { jetstreamManager } from "@nats-io/jetstream";
import { Kvm } from "@nats-io/kv";
import type { NatsConnection } from "@nats-io/transport-node";

/** The partition leases as stored in TM_WORKFLOWS: instance id → how many partitions it owns. */
export async function partitionOwners(nc: NatsConnection): Promise<Map<string, number>> {
  const owned = new Map<string, number>();
  for (const owner of (await partitionTable(nc)).values()) owned.set(owner, (owned.get(owner) ?? 0) + 1);
  return owned;
}

/**
 * The partition each lease names: partition → owner instance id. A key
 * listing runs over a consumer, so a lease renewed while it runs is listed
 * twice: keyed by partition, a repeat counts once.
 */
export async function partitionTable(nc: NatsConnection): Promise<Map<number, string>> {
  const kv = await new Kvm(nc).open("TM_WORKFLOWS");
  const table = new Map<number, string>();
  for await (const key of await kv.keys("partition.*")) {
    const entry = await kv.get(key);
    if (entry?.operation === "PUT")
      table.set(Number(key.split(".")[1]), (JSON.parse(new TextDecoder().decode(entry.value)) as { owner: string }).owner);
  }
  return table;
}

/** A workflow's partition, as its id names it (p<n>-…). */
export function partitionOfId(workflowId: string): number {
  const named = /^p(\d+)-/.exec(workflowId)?.[1];
  if (named === undefined) throw new Error(`workflow id ${workflowId} names no partition`);
  return Number(named);
}

/** A counter's value summed over its label sets, from a Prometheus text exposition. */
export function counterTotal(metrics: string, name: string): number {
  let total = 0;
  for (const line of metrics.split("\n"))
    if (line.startsWith(`${name}{`) || line.startsWith(`${name} `)) total += Number(line.split(" ").at(-1));
  return total;
}

/** How many writes the TM_WORKFLOWS bucket has taken so far: its stream's last sequence. */
export async function workflowsKvWrites(nc: NatsConnection): Promise<number> {
  const jsm = await jetstreamManager(nc);
  return (await jsm.streams.info("KV_TM_WORKFLOWS")).state.last_seq;
}
