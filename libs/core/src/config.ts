import { z } from "zod";
import { ConfigError } from "./errors.js";
import { jsReplicasSchema } from "./js-replicas.js";
import { tracingEnvShape } from "./tracing-config.js";

/**
 * Environment variables every service reads. Each has a documented default in
 * docs/architecture.md; services extend this schema with their own.
 */
export const baseConfigSchema = z.object({
  TOOLMESH_NATS_URL: z.string().default("nats://127.0.0.1:4222"),
  /** Optional NATS credentials: a token, a user/password pair, or a .creds file. */
  TOOLMESH_NATS_TOKEN: z.string().optional(),
  TOOLMESH_NATS_USER: z.string().optional(),
  TOOLMESH_NATS_PASSWORD: z.string().optional(),
  TOOLMESH_NATS_CREDS: z.string().optional(),
  /**
   * Where this process's replies come back (`_INBOX` when unset): with NATS
   * roles each role has its own (`_INBOX_<role>`), the only inboxes it may read.
   */
  TOOLMESH_NATS_INBOX_PREFIX: z
    .string()
    .regex(/^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*$/, "subject tokens of letters, digits, '_' or '-', no wildcards")
    .optional(),
  TOOLMESH_LOG_LEVEL: z.enum(["trace", "debug", "info", "warn", "error", "fatal", "silent"]).default("info"),
  /** Port of the Prometheus /metrics endpoint; 0 picks a free one, -1 turns it off. */
  TOOLMESH_METRICS_PORT: z.coerce.number().int().min(-1).max(65535).default(0),
  /** Address of that endpoint: loopback unless a scraper elsewhere must reach it (the chart sets 0.0.0.0). */
  TOOLMESH_METRICS_HOST: z.string().min(1).default("127.0.0.1"),
  /** Interval of the per-instance snapshots on the metrics bus. */
  TOOLMESH_METRICS_INTERVAL_MS: z.coerce.number().int().min(100).default(2000),
  /** Replicas of the streams, KV buckets and object stores a service creates (js-replicas.ts). */
  TOOLMESH_JS_REPLICAS: jsReplicasSchema,
  /** OpenTelemetry's own variables (OTLP endpoint and protocol, service name, resource attributes). */
  ...tracingEnvShape,
});
export type BaseConfig = z.infer<typeof baseConfigSchema>;

/**
 * Validates `env` against `schema` and returns the typed config, or throws a
 * ConfigError naming every variable that is wrong and why.
 */
export function loadConfig<S extends z.ZodTypeAny>(service: string, schema: S, env: NodeJS.ProcessEnv = process.env): z.infer<S> {
  const parsed = schema.safeParse(env);
  if (parsed.success) return parsed.data as z.infer<S>;
  const problems = parsed.error.issues.map((issue) => `${issue.path.join(".") || "(env)"}: ${issue.message}`);
  throw new ConfigError(service, problems);
}

/** "a,b,c" → ["a","b","c"], ignoring blanks; for list-valued variables. */
export const commaList = z.string().transform((s) =>
  s
    .split(",")
    .map((part) => part.trim())
    .filter((part) => part.length > 0),
);
