import { baseConfigSchema } from "@toolmesh/core";
import { z } from "zod";

const emptyAsUndefined = (v: unknown): unknown => (v === "" ? undefined : v);

export const coordinatorConfigSchema = baseConfigSchema
  .extend({
    /**
     * gRPC listen address; loopback unless told otherwise, because without
     * TOOLMESH_GRPC_TOKEN anyone who reaches the port can run tools (bash.exec
     * included). The Helm chart sets 0.0.0.0 so pods serve.
     */
    TOOLMESH_GRPC_HOST: z.string().default("127.0.0.1"),
    /** gRPC port; 0 picks a free one (printed in the "ready" log line). */
    TOOLMESH_GRPC_PORT: z.coerce.number().int().min(0).max(65535).default(50051),
    /** When set, every Coordinator call needs `authorization: Bearer <token>`. */
    TOOLMESH_GRPC_TOKEN: z.string().min(16, "use a token of at least 16 characters").optional(),
    /** PEM files of the server's certificate chain and key: TLS on the gRPC port; both or neither (unset: plain text). */
    TOOLMESH_GRPC_TLS_CERT: z.preprocess(emptyAsUndefined, z.string().optional()),
    TOOLMESH_GRPC_TLS_KEY: z.preprocess(emptyAsUndefined, z.string().optional()),
    /** PEM file of the CA(s) whose client certificates are accepted: mTLS, a client without one is refused in the handshake. */
    TOOLMESH_GRPC_TLS_CLIENT_CA: z.preprocess(emptyAsUndefined, z.string().optional()),
    /** Per-attempt limit for tasks whose spec sets none (queue wait + run). */
    TOOLMESH_DEFAULT_TIMEOUT_MS: z.coerce.number().int().min(100).default(60_000),
    /** Upper bound a spec may ask for. */
    TOOLMESH_MAX_TIMEOUT_MS: z.coerce.number().int().min(100).default(3_600_000),
    TOOLMESH_MAX_TASKS: z.coerce.number().int().min(1).default(5000),
    TOOLMESH_MAX_SPEC_BYTES: z.coerce
      .number()
      .int()
      .min(1024)
      .default(4 * 1024 * 1024),
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
    /** A partition's lease: another coordinator takes a dead one's partitions this long after it stopped renewing them. */
    TOOLMESH_LEASE_MS: z.coerce.number().int().min(500).default(3000),
    /**
     * How many partitions the workflows are spread over, shared out among the
     * coordinators (docs/architecture.md "Partitions"). The same on every
     * coordinator of a cluster: one with another count refuses to start.
     */
    TOOLMESH_PARTITIONS: z.coerce.number().int().min(1).max(1024).default(64),
    /** Finished workflows kept in memory for Get/List. */
    TOOLMESH_KEEP_WORKFLOWS: z.coerce.number().int().min(1).default(10_000),
    /** Task records those finished workflows may hold in all; past either bound the oldest are read back from KV when asked for. */
    TOOLMESH_KEEP_TASKS: z.coerce.number().int().min(1).default(5_000),
    /** Estimated bytes (task records, arguments, inline outputs) those finished workflows may hold in all: 32 MiB. */
    TOOLMESH_KEEP_BYTES: z.coerce.number().int().min(1).default(33_554_432),
  })
  .refine((c) => Boolean(c.TOOLMESH_GRPC_TLS_CERT) === Boolean(c.TOOLMESH_GRPC_TLS_KEY), {
    message: "set both TOOLMESH_GRPC_TLS_CERT and TOOLMESH_GRPC_TLS_KEY, or neither",
    path: ["TOOLMESH_GRPC_TLS_CERT"],
  })
  .refine((c) => !c.TOOLMESH_GRPC_TLS_CLIENT_CA || Boolean(c.TOOLMESH_GRPC_TLS_CERT), {
    message: "mTLS needs TLS: set TOOLMESH_GRPC_TLS_CERT and TOOLMESH_GRPC_TLS_KEY too",
    path: ["TOOLMESH_GRPC_TLS_CLIENT_CA"],
  });
export type CoordinatorConfig = z.infer<typeof coordinatorConfigSchema>;

/** Whether a listen host only accepts connections from this machine. */
export function isLoopbackHost(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, "").toLowerCase();
  return h === "localhost" || h === "::1" || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(h) || /^::ffff:127\./.test(h);
}

/**
 * The start-up warning for a gRPC port others can reach with no token
 * (undefined when the bind is loopback or a token is set). A warning rather
 * than a refusal: a network policy or a private network may be the guard.
 */
export function insecureBindWarning(
  config: Pick<CoordinatorConfig, "TOOLMESH_GRPC_HOST" | "TOOLMESH_GRPC_TOKEN"> &
    Partial<Pick<CoordinatorConfig, "TOOLMESH_GRPC_TLS_CLIENT_CA">>,
): string | undefined {
  // mTLS authenticates callers as a token would: only holders of a certificate the CA signed get through.
  if (config.TOOLMESH_GRPC_TOKEN || config.TOOLMESH_GRPC_TLS_CLIENT_CA || isLoopbackHost(config.TOOLMESH_GRPC_HOST)) return undefined;
  return (
    `gRPC listens on ${config.TOOLMESH_GRPC_HOST}, reachable from other machines, without TOOLMESH_GRPC_TOKEN: ` +
    "anyone who reaches the port can submit workflows and run every tool (bash.exec, web.fetch, code.read included); " +
    "set TOOLMESH_GRPC_TOKEN, or TOOLMESH_GRPC_HOST=127.0.0.1"
  );
}
