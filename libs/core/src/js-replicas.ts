import { z } from "zod";
import { ConfigError } from "./errors.js";

/**
 * TOOLMESH_JS_REPLICAS: how many copies JetStream keeps of every stream, KV
 * bucket and object store a service creates (1 by default: one server). A
 * clustered NATS of three runs with 3, so losing a server loses no task,
 * result or workflow; JetStream refuses more replicas than it has servers.
 * It counts only when a stream is created: an existing one keeps its count
 * (`nats stream edit <name> --replicas N` changes it).
 */
export const jsReplicasSchema = z.coerce.number().int().min(1).max(5).default(1);

/**
 * The replica count for a stream being created now, read from `env` with the
 * schema every service's config validated at start-up (baseConfigSchema), so
 * the stream helpers need no config threaded through to them.
 */
export function jetStreamReplicas(env: NodeJS.ProcessEnv = process.env): number {
  const parsed = jsReplicasSchema.safeParse(env.TOOLMESH_JS_REPLICAS);
  if (parsed.success) return parsed.data;
  throw new ConfigError(
    "jetstream",
    parsed.error.issues.map((issue) => `TOOLMESH_JS_REPLICAS: ${issue.message}`),
  );
}
