import { randomUUID } from "node:crypto";

/** The error a coordinator raises for a workflow of a partition it does not own: the caller routes the call to the owner. */
export class NotOwnerError extends Error {
  override readonly name = "NotOwnerError";
  readonly partition: number;
  constructor(partition: number) {
    super(`partition ${String(partition)} is not owned by this coordinator`);
    this.partition = partition;
  }
}

const PARTITIONED = /^p(\d{1,8})-/;

/**
 * FNV-1a over the id's characters: where an id that does not name its
 * partition (one minted before partitions) belongs.
 */
function fnv1a(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash;
}

/**
 * The partition of a workflow: the one its id names (p<n>-…), or a hash of
 * the id for any other; the same answer on every coordinator.
 */
export function partitionOf(workflowId: string, partitions: number): number {
  const named = PARTITIONED.exec(workflowId)?.[1];
  if (named !== undefined && Number(named) < partitions) return Number(named);
  return fnv1a(workflowId) % partitions;
}

/** A workflow id of a partition, chosen by the coordinator that owns it: p<partition>-<32 hex>. */
export function mintWorkflowId(partition: number): string {
  return `p${String(partition)}-${randomUUID().replaceAll("-", "")}`;
}

/** The route token of a coordinator's own calls (quiet calls): "i" and 8 hex characters. */
export function instanceRoute(instanceId: string): string {
  const hex = /([0-9a-f]{8})$/.exec(instanceId)?.[1];
  if (!hex) throw new Error(`instance id "${instanceId}" does not end in 8 hex characters`);
  return `i${hex}`;
}

/** An id of a call this coordinator serves itself: <route>-<32 hex>; its results come to this coordinator. */
export function mintCallId(route: string): string {
  return `${route}-${randomUUID().replaceAll("-", "")}`;
}

/** Whether an id is of a call served by the coordinator of `route` (not of a partition). */
export function isCallOf(workflowId: string, route: string): boolean {
  return workflowId.startsWith(`${route}-`);
}
