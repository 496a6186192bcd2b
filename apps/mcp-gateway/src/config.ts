import { baseConfigSchema, commaList, grpcClientTlsEnv, tracingEnvShape } from "@toolmesh/core";
import { z } from "zod";

const token = z.string().min(16, "use a token of at least 16 characters").optional();

/** The gateway's environment, validated at start-up (a bad value stops it with the variable named). */
export const gatewayConfigSchema = baseConfigSchema
  .pick({
    TOOLMESH_LOG_LEVEL: true,
    TOOLMESH_METRICS_PORT: true,
    TOOLMESH_METRICS_HOST: true,
    // The console's pools page logs in to NATS as the observer role with these.
    TOOLMESH_NATS_TOKEN: true,
    TOOLMESH_NATS_USER: true,
    TOOLMESH_NATS_PASSWORD: true,
    TOOLMESH_NATS_CREDS: true,
    TOOLMESH_NATS_INBOX_PREFIX: true,
  })
  .extend(tracingEnvShape)
  .extend({
    /** The web console at /console (same token and Origin check as /mcp): "on" or "off". */
    TOOLMESH_CONSOLE: z.enum(["on", "off"]).default("on"),
    /** NATS for the console's pools page (the metrics bus, read-only: the observer role); unset: the page says it has none. */
    TOOLMESH_NATS_URL: z.string().min(1).optional(),
    /** The coordinator this gateway is a gRPC client of. */
    TOOLMESH_COORDINATOR_ADDRESS: z.string().min(1).default("127.0.0.1:50051"),
    /** The coordinator's bearer token, when it has one. */
    TOOLMESH_GRPC_TOKEN: token,
    /** Loopback by default: only this machine reaches it unless told otherwise. */
    TOOLMESH_MCP_HOST: z.string().min(1).default("127.0.0.1"),
    /** 0 picks a free port (printed in the "ready" log line). */
    TOOLMESH_MCP_PORT: z.coerce.number().int().min(0).max(65535).default(0),
    /** Bearer token MCP clients must send; unset: the coordinator's token, if any. */
    TOOLMESH_MCP_TOKEN: token,
    /** Origins browsers may call from ("https://app.example.com,http://localhost:6274"); any other Origin gets 403. */
    TOOLMESH_MCP_ALLOWED_ORIGINS: commaList.default(""),
    /** Open sessions at most; a new one beyond it gets 503. */
    TOOLMESH_MCP_MAX_SESSIONS: z.coerce.number().int().min(1).default(256),
    /** How often the tool list is checked for changes (MCP pools coming and going) to send tools/list_changed. */
    TOOLMESH_MCP_TOOLS_POLL_MS: z.coerce.number().int().min(100).default(10_000),
    /** A session unused this long is closed. */
    TOOLMESH_MCP_SESSION_IDLE_MS: z.coerce
      .number()
      .int()
      .min(1000)
      .default(30 * 60_000),
  })
  // TLS to the coordinator: TOOLMESH_GRPC_TLS_CA, _SERVER_NAME, _CLIENT_CERT/_KEY (mTLS), TOOLMESH_GRPC_TLS.
  .extend(grpcClientTlsEnv);
export type GatewayConfig = z.infer<typeof gatewayConfigSchema>;
