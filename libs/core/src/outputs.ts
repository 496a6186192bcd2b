import { Objm, type ObjectStore } from "@nats-io/obj";

export type { ObjectStore };
import type { NatsConnection } from "@nats-io/transport-node";
import { ErrorCode, ToolError } from "./errors.js";
import { jetStreamReplicas } from "./js-replicas.js";
import { ObjectWriter } from "./object-writer.js";
import { decodeJson, encodeJson } from "./wire.js";

/** Object store bucket for task outputs too large for one NATS message. */
export const OUTPUTS_BUCKET = "TM_OUTPUTS";
/** Outputs are kept this long; workflows read them while they run and shortly after. */
const OUTPUTS_TTL_MS = 24 * 60 * 60 * 1000;

export interface OutputRef {
  name: string;
  bytes: number;
}

/** Writers of the stores openOutputStore opened: putOutput writes without reading (see ObjectWriter). */
const writers = new WeakMap<ObjectStore, ObjectWriter>();

/** Opens (creating if needed) the outputs bucket. */
export async function openOutputStore(nc: NatsConnection): Promise<ObjectStore> {
  const store = await new Objm(nc).create(OUTPUTS_BUCKET, {
    storage: "file",
    ttl: OUTPUTS_TTL_MS * 1_000_000,
    replicas: jetStreamReplicas(),
  });
  writers.set(store, new ObjectWriter(nc, OUTPUTS_BUCKET));
  return store;
}

/** Object name of one attempt's output. */
export function outputObjectName(workflowId: string, taskId: string, attempt: number): string {
  return `${workflowId}/${taskId}/${attempt}`;
}

export async function putOutput(store: ObjectStore, name: string, output: Record<string, unknown>): Promise<OutputRef> {
  const bytes = encodeJson(output);
  const writer = writers.get(store);
  if (writer) await writer.put(name, bytes);
  else await store.putBlob({ name }, bytes);
  return { name, bytes: bytes.length };
}

export async function getOutput(store: ObjectStore, ref: OutputRef): Promise<Record<string, unknown>> {
  const bytes = await store.getBlob(ref.name);
  if (!bytes) throw new ToolError(ErrorCode.NOT_FOUND, `output ${ref.name} is no longer in the object store (outputs are kept 24 h)`);
  return decodeJson<Record<string, unknown>>(bytes);
}
