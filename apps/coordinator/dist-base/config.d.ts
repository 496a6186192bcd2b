import { z } from "zod";
export declare const coordinatorConfigSchema: z.ZodEffects<z.ZodEffects<z.ZodObject<{
    TOOLMESH_NATS_URL: z.ZodDefault<z.ZodString>;
    TOOLMESH_NATS_TOKEN: z.ZodOptional<z.ZodString>;
    TOOLMESH_NATS_USER: z.ZodOptional<z.ZodString>;
    TOOLMESH_NATS_PASSWORD: z.ZodOptional<z.ZodString>;
    TOOLMESH_NATS_CREDS: z.ZodOptional<z.ZodString>;
    TOOLMESH_NATS_INBOX_PREFIX: z.ZodOptional<z.ZodString>;
    TOOLMESH_LOG_LEVEL: z.ZodDefault<z.ZodEnum<["trace", "debug", "info", "warn", "error", "fatal", "silent"]>>;
    TOOLMESH_METRICS_PORT: z.ZodDefault<z.ZodNumber>;
    TOOLMESH_METRICS_HOST: z.ZodDefault<z.ZodString>;
    TOOLMESH_METRICS_INTERVAL_MS: z.ZodDefault<z.ZodNumber>;
    OTEL_EXPORTER_OTLP_ENDPOINT: z.ZodOptional<z.ZodString>;
} & {
    /**
     * gRPC listen address; loopback unless told otherwise, because without
     * TOOLMESH_GRPC_TOKEN anyone who reaches the port can run tools (bash.exec
     * included). The Helm chart sets 0.0.0.0 so pods serve.
     */
    TOOLMESH_GRPC_HOST: z.ZodDefault<z.ZodString>;
    /** gRPC port; 0 picks a free one (printed in the "ready" log line). */
    TOOLMESH_GRPC_PORT: z.ZodDefault<z.ZodNumber>;
    /** When set, every Coordinator call needs `authorization: Bearer <token>`. */
    TOOLMESH_GRPC_TOKEN: z.ZodOptional<z.ZodString>;
    /** PEM files of the server's certificate chain and key: TLS on the gRPC port; both or neither (unset: plain text). */
    TOOLMESH_GRPC_TLS_CERT: z.ZodEffects<z.ZodOptional<z.ZodString>, string | undefined, unknown>;
    TOOLMESH_GRPC_TLS_KEY: z.ZodEffects<z.ZodOptional<z.ZodString>, string | undefined, unknown>;
    /** PEM file of the CA(s) whose client certificates are accepted: mTLS, a client without one is refused in the handshake. */
    TOOLMESH_GRPC_TLS_CLIENT_CA: z.ZodEffects<z.ZodOptional<z.ZodString>, string | undefined, unknown>;
    /** Per-attempt limit for tasks whose spec sets none (queue wait + run). */
    TOOLMESH_DEFAULT_TIMEOUT_MS: z.ZodDefault<z.ZodNumber>;
    /** Upper bound a spec may ask for. */
    TOOLMESH_MAX_TIMEOUT_MS: z.ZodDefault<z.ZodNumber>;
    TOOLMESH_MAX_TASKS: z.ZodDefault<z.ZodNumber>;
    TOOLMESH_MAX_SPEC_BYTES: z.ZodDefault<z.ZodNumber>;
    TOOLMESH_MAX_ATTEMPTS: z.ZodDefault<z.ZodNumber>;
    /**
     * Redelivery delay of results a coordinator received but did not ack (it
     * acks once their state is stored, within milliseconds): how long a
     * successor waits for the results a dead coordinator held.
     */
    TOOLMESH_RESULT_ACK_WAIT_MS: z.ZodDefault<z.ZodNumber>;
    /** Calls one workflow may make in all (fan-out items included), unless its spec asks for fewer. */
    TOOLMESH_MAX_CALLS: z.ZodDefault<z.ZodNumber>;
    /** Items one fan-out maps over at most, unless its forEach.maxItems asks for fewer. */
    TOOLMESH_MAX_ITEMS: z.ZodDefault<z.ZodNumber>;
    /** Results of side-effect-free calls reused across workflows for this long; 0 shares only within a workflow. */
    TOOLMESH_SHARE_TTL_MS: z.ZodDefault<z.ZodNumber>;
    /** The active coordinator's lease: a standby takes over this long after the active one stops renewing it. */
    TOOLMESH_LEASE_MS: z.ZodDefault<z.ZodNumber>;
    /** Finished workflows kept in memory for Get/List. */
    TOOLMESH_KEEP_WORKFLOWS: z.ZodDefault<z.ZodNumber>;
}, "strip", z.ZodTypeAny, {
    TOOLMESH_GRPC_HOST: string;
    TOOLMESH_GRPC_PORT: number;
    TOOLMESH_DEFAULT_TIMEOUT_MS: number;
    TOOLMESH_MAX_TIMEOUT_MS: number;
    TOOLMESH_MAX_TASKS: number;
    TOOLMESH_MAX_SPEC_BYTES: number;
    TOOLMESH_MAX_ATTEMPTS: number;
    TOOLMESH_RESULT_ACK_WAIT_MS: number;
    TOOLMESH_MAX_CALLS: number;
    TOOLMESH_MAX_ITEMS: number;
    TOOLMESH_SHARE_TTL_MS: number;
    TOOLMESH_LEASE_MS: number;
    TOOLMESH_KEEP_WORKFLOWS: number;
    TOOLMESH_NATS_URL: string;
    TOOLMESH_LOG_LEVEL: "trace" | "debug" | "info" | "warn" | "error" | "fatal" | "silent";
    TOOLMESH_METRICS_PORT: number;
    TOOLMESH_METRICS_HOST: string;
    TOOLMESH_METRICS_INTERVAL_MS: number;
    TOOLMESH_GRPC_TOKEN?: string | undefined;
    TOOLMESH_GRPC_TLS_CERT?: string | undefined;
    TOOLMESH_GRPC_TLS_KEY?: string | undefined;
    TOOLMESH_GRPC_TLS_CLIENT_CA?: string | undefined;
    TOOLMESH_NATS_TOKEN?: string | undefined;
    TOOLMESH_NATS_USER?: string | undefined;
    TOOLMESH_NATS_PASSWORD?: string | undefined;
    TOOLMESH_NATS_CREDS?: string | undefined;
    TOOLMESH_NATS_INBOX_PREFIX?: string | undefined;
    OTEL_EXPORTER_OTLP_ENDPOINT?: string | undefined;
}, {
    TOOLMESH_GRPC_HOST?: string | undefined;
    TOOLMESH_GRPC_PORT?: number | undefined;
    TOOLMESH_GRPC_TOKEN?: string | undefined;
    TOOLMESH_GRPC_TLS_CERT?: unknown;
    TOOLMESH_GRPC_TLS_KEY?: unknown;
    TOOLMESH_GRPC_TLS_CLIENT_CA?: unknown;
    TOOLMESH_DEFAULT_TIMEOUT_MS?: number | undefined;
    TOOLMESH_MAX_TIMEOUT_MS?: number | undefined;
    TOOLMESH_MAX_TASKS?: number | undefined;
    TOOLMESH_MAX_SPEC_BYTES?: number | undefined;
    TOOLMESH_MAX_ATTEMPTS?: number | undefined;
    TOOLMESH_RESULT_ACK_WAIT_MS?: number | undefined;
    TOOLMESH_MAX_CALLS?: number | undefined;
    TOOLMESH_MAX_ITEMS?: number | undefined;
    TOOLMESH_SHARE_TTL_MS?: number | undefined;
    TOOLMESH_LEASE_MS?: number | undefined;
    TOOLMESH_KEEP_WORKFLOWS?: number | undefined;
    TOOLMESH_NATS_URL?: string | undefined;
    TOOLMESH_NATS_TOKEN?: string | undefined;
    TOOLMESH_NATS_USER?: string | undefined;
    TOOLMESH_NATS_PASSWORD?: string | undefined;
    TOOLMESH_NATS_CREDS?: string | undefined;
    TOOLMESH_NATS_INBOX_PREFIX?: string | undefined;
    TOOLMESH_LOG_LEVEL?: "trace" | "debug" | "info" | "warn" | "error" | "fatal" | "silent" | undefined;
    TOOLMESH_METRICS_PORT?: number | undefined;
    TOOLMESH_METRICS_HOST?: string | undefined;
    TOOLMESH_METRICS_INTERVAL_MS?: number | undefined;
    OTEL_EXPORTER_OTLP_ENDPOINT?: string | undefined;
}>, {
    TOOLMESH_GRPC_HOST: string;
    TOOLMESH_GRPC_PORT: number;
    TOOLMESH_DEFAULT_TIMEOUT_MS: number;
    TOOLMESH_MAX_TIMEOUT_MS: number;
    TOOLMESH_MAX_TASKS: number;
    TOOLMESH_MAX_SPEC_BYTES: number;
    TOOLMESH_MAX_ATTEMPTS: number;
    TOOLMESH_RESULT_ACK_WAIT_MS: number;
    TOOLMESH_MAX_CALLS: number;
    TOOLMESH_MAX_ITEMS: number;
    TOOLMESH_SHARE_TTL_MS: number;
    TOOLMESH_LEASE_MS: number;
    TOOLMESH_KEEP_WORKFLOWS: number;
    TOOLMESH_NATS_URL: string;
    TOOLMESH_LOG_LEVEL: "trace" | "debug" | "info" | "warn" | "error" | "fatal" | "silent";
    TOOLMESH_METRICS_PORT: number;
    TOOLMESH_METRICS_HOST: string;
    TOOLMESH_METRICS_INTERVAL_MS: number;
    TOOLMESH_GRPC_TOKEN?: string | undefined;
    TOOLMESH_GRPC_TLS_CERT?: string | undefined;
    TOOLMESH_GRPC_TLS_KEY?: string | undefined;
    TOOLMESH_GRPC_TLS_CLIENT_CA?: string | undefined;
    TOOLMESH_NATS_TOKEN?: string | undefined;
    TOOLMESH_NATS_USER?: string | undefined;
    TOOLMESH_NATS_PASSWORD?: string | undefined;
    TOOLMESH_NATS_CREDS?: string | undefined;
    TOOLMESH_NATS_INBOX_PREFIX?: string | undefined;
    OTEL_EXPORTER_OTLP_ENDPOINT?: string | undefined;
}, {
    TOOLMESH_GRPC_HOST?: string | undefined;
    TOOLMESH_GRPC_PORT?: number | undefined;
    TOOLMESH_GRPC_TOKEN?: string | undefined;
    TOOLMESH_GRPC_TLS_CERT?: unknown;
    TOOLMESH_GRPC_TLS_KEY?: unknown;
    TOOLMESH_GRPC_TLS_CLIENT_CA?: unknown;
    TOOLMESH_DEFAULT_TIMEOUT_MS?: number | undefined;
    TOOLMESH_MAX_TIMEOUT_MS?: number | undefined;
    TOOLMESH_MAX_TASKS?: number | undefined;
    TOOLMESH_MAX_SPEC_BYTES?: number | undefined;
    TOOLMESH_MAX_ATTEMPTS?: number | undefined;
    TOOLMESH_RESULT_ACK_WAIT_MS?: number | undefined;
    TOOLMESH_MAX_CALLS?: number | undefined;
    TOOLMESH_MAX_ITEMS?: number | undefined;
    TOOLMESH_SHARE_TTL_MS?: number | undefined;
    TOOLMESH_LEASE_MS?: number | undefined;
    TOOLMESH_KEEP_WORKFLOWS?: number | undefined;
    TOOLMESH_NATS_URL?: string | undefined;
    TOOLMESH_NATS_TOKEN?: string | undefined;
    TOOLMESH_NATS_USER?: string | undefined;
    TOOLMESH_NATS_PASSWORD?: string | undefined;
    TOOLMESH_NATS_CREDS?: string | undefined;
    TOOLMESH_NATS_INBOX_PREFIX?: string | undefined;
    TOOLMESH_LOG_LEVEL?: "trace" | "debug" | "info" | "warn" | "error" | "fatal" | "silent" | undefined;
    TOOLMESH_METRICS_PORT?: number | undefined;
    TOOLMESH_METRICS_HOST?: string | undefined;
    TOOLMESH_METRICS_INTERVAL_MS?: number | undefined;
    OTEL_EXPORTER_OTLP_ENDPOINT?: string | undefined;
}>, {
    TOOLMESH_GRPC_HOST: string;
    TOOLMESH_GRPC_PORT: number;
    TOOLMESH_DEFAULT_TIMEOUT_MS: number;
    TOOLMESH_MAX_TIMEOUT_MS: number;
    TOOLMESH_MAX_TASKS: number;
    TOOLMESH_MAX_SPEC_BYTES: number;
    TOOLMESH_MAX_ATTEMPTS: number;
    TOOLMESH_RESULT_ACK_WAIT_MS: number;
    TOOLMESH_MAX_CALLS: number;
    TOOLMESH_MAX_ITEMS: number;
    TOOLMESH_SHARE_TTL_MS: number;
    TOOLMESH_LEASE_MS: number;
    TOOLMESH_KEEP_WORKFLOWS: number;
    TOOLMESH_NATS_URL: string;
    TOOLMESH_LOG_LEVEL: "trace" | "debug" | "info" | "warn" | "error" | "fatal" | "silent";
    TOOLMESH_METRICS_PORT: number;
    TOOLMESH_METRICS_HOST: string;
    TOOLMESH_METRICS_INTERVAL_MS: number;
    TOOLMESH_GRPC_TOKEN?: string | undefined;
    TOOLMESH_GRPC_TLS_CERT?: string | undefined;
    TOOLMESH_GRPC_TLS_KEY?: string | undefined;
    TOOLMESH_GRPC_TLS_CLIENT_CA?: string | undefined;
    TOOLMESH_NATS_TOKEN?: string | undefined;
    TOOLMESH_NATS_USER?: string | undefined;
    TOOLMESH_NATS_PASSWORD?: string | undefined;
    TOOLMESH_NATS_CREDS?: string | undefined;
    TOOLMESH_NATS_INBOX_PREFIX?: string | undefined;
    OTEL_EXPORTER_OTLP_ENDPOINT?: string | undefined;
}, {
    TOOLMESH_GRPC_HOST?: string | undefined;
    TOOLMESH_GRPC_PORT?: number | undefined;
    TOOLMESH_GRPC_TOKEN?: string | undefined;
    TOOLMESH_GRPC_TLS_CERT?: unknown;
    TOOLMESH_GRPC_TLS_KEY?: unknown;
    TOOLMESH_GRPC_TLS_CLIENT_CA?: unknown;
    TOOLMESH_DEFAULT_TIMEOUT_MS?: number | undefined;
    TOOLMESH_MAX_TIMEOUT_MS?: number | undefined;
    TOOLMESH_MAX_TASKS?: number | undefined;
    TOOLMESH_MAX_SPEC_BYTES?: number | undefined;
    TOOLMESH_MAX_ATTEMPTS?: number | undefined;
    TOOLMESH_RESULT_ACK_WAIT_MS?: number | undefined;
    TOOLMESH_MAX_CALLS?: number | undefined;
    TOOLMESH_MAX_ITEMS?: number | undefined;
    TOOLMESH_SHARE_TTL_MS?: number | undefined;
    TOOLMESH_LEASE_MS?: number | undefined;
    TOOLMESH_KEEP_WORKFLOWS?: number | undefined;
    TOOLMESH_NATS_URL?: string | undefined;
    TOOLMESH_NATS_TOKEN?: string | undefined;
    TOOLMESH_NATS_USER?: string | undefined;
    TOOLMESH_NATS_PASSWORD?: string | undefined;
    TOOLMESH_NATS_CREDS?: string | undefined;
    TOOLMESH_NATS_INBOX_PREFIX?: string | undefined;
    TOOLMESH_LOG_LEVEL?: "trace" | "debug" | "info" | "warn" | "error" | "fatal" | "silent" | undefined;
    TOOLMESH_METRICS_PORT?: number | undefined;
    TOOLMESH_METRICS_HOST?: string | undefined;
    TOOLMESH_METRICS_INTERVAL_MS?: number | undefined;
    OTEL_EXPORTER_OTLP_ENDPOINT?: string | undefined;
}>;
export type CoordinatorConfig = z.infer<typeof coordinatorConfigSchema>;
/** Whether a listen host only accepts connections from this machine. */
export declare function isLoopbackHost(host: string): boolean;
/**
 * The start-up warning for a gRPC port others can reach with no token
 * (undefined when the bind is loopback or a token is set). A warning rather
 * than a refusal: a network policy or a private network may be the guard.
 */
export declare function insecureBindWarning(config: Pick<CoordinatorConfig, "TOOLMESH_GRPC_HOST" | "TOOLMESH_GRPC_TOKEN"> & Partial<Pick<CoordinatorConfig, "TOOLMESH_GRPC_TLS_CLIENT_CA">>): string | undefined;
