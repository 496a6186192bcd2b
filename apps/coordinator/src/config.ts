import { baseConfigSchema } from "@toolmesh/core";
import { z } from "zod";

export const coordinatorConfigSchema = baseConfigSchema.extend({
  TOOLMESH_GRPC_HOST: z.string().default("0.0.0.0"),
  /** gRPC port; 0 picks a free one (printed in the "ready" log line). */
  TOOLMESH_GRPC_PORT: z.coerce.number().int().min(0).max(65535).default(50051),
  /** When set, every Coordinator call needs `authorization: Bearer <token>`. */
  TOOLMESH_GRPC_TOKEN: z.string().min(16, "use a token of at least 16 characters").optional(),
  /** PEM files for TLS; both or neither. */
  TOOLMESH_GRPC_TLS_CERT: z.string().optional(),
  TOOLMESH_GRPC_TLS_KEY: z.string().optional(),
  /** Per-attempt limit for tasks whose spec sets none (queue wait + run). */
  TOOLMESH_DEFAULT_TIMEOUT_MS: z.coerce.number().int().min(100).default(60_000),
  /** Upper bound a spec may ask for. */
  TOOLMESH_MAX_TIMEOUT_MS: z.coerce.number().int().min(100).default(3_600_000),
  TOOLMESH_MAX_TASKS: z.coerce.number().int().min(1).default(5000),
  TOOLMESH_MAX_SPEC_BYTES: z.coerce.number().int().min(1024).default(4 * 1024 * 1024),
  TOOLMESH_MAX_ATTEMPTS: z.coerce.number().int().min(1).max(100).default(10),
  /**
   * Redelivery delay of results a coordinator received but did not ack (it
   * acks once their state is stored, within milliseconds): how long a
   * successor waits for the results a dead coordinator held.
   */
  TOOLMESH_RESULT_ACK_WAIT_MS: z.coerce.number().int().min(500).default(5_000),
  /** Calls one workflow may make in all (fan-out items included), unless its spec asks for fewer. */
  TOOLMESH_MAX_CALLS: z.coerce.number().int().min(1).default(10_000),
  /** Items one fan-out maps over at most, unless its forEach.maxItems asks for fewer. */
  TOOLMESH_MAX_ITEMS: z.coerce.number().int().min(1).default(1000),
  /** Results of side-effect-free calls reused across workflows for this long; 0 shares only within a workflow. */
  TOOLMESH_SHARE_TTL_MS: z.coerce.number().int().min(0).default(0),
  /** The active coordinator's lease: a standby takes over this long after the active one stops renewing it. */
  TOOLMESH_LEASE_MS: z.coerce.number().int().min(500).default(3000),
  /** Finished workflows kept in memory for Get/List. */
  TOOLMESH_KEEP_WORKFLOWS: z.coerce.number().int().min(1).default(10_000),
}).refine((c) => Boolean(c.TOOLMESH_GRPC_TLS_CERT) === Boolean(c.TOOLMESH_GRPC_TLS_KEY), {
  message: "set both TOOLMESH_GRPC_TLS_CERT and TOOLMESH_GRPC_TLS_KEY, or neither",
  path: ["TOOLMESH_GRPC_TLS_CERT"],
});
export type CoordinatorConfig = z.infer<typeof coordinatorConfigSchema>;
