// The MCP gateway process: config from the environment, an HTTP server for /mcp, a gRPC client of the coordinator.
import { ToolmeshClient, clientTlsSettingsFromEnv, loadClientTls } from "@toolmesh/client";
import { ConsoleServer } from "@toolmesh/console";
import {
  baseConfigSchema,
  connectNats,
  createLogger,
  createRegistry,
  initTracing,
  loadConfig,
  onShutdown,
  otlpTraceExport,
  runMain,
  serveMetrics,
} from "@toolmesh/core";
import { startGateway } from "@toolmesh/mcp/gateway";
import { PoolWatch } from "@toolmesh/observe";
import { gatewayConfigSchema } from "./config.js";

await runMain("mcp-gateway", async () => {
  const config = loadConfig("mcp-gateway", gatewayConfigSchema);
  const tls = loadClientTls(clientTlsSettingsFromEnv(process.env));
  const log = createLogger("mcp-gateway", config.TOOLMESH_LOG_LEVEL);
  initTracing("mcp-gateway", { otlp: otlpTraceExport(config) });
  const client = new ToolmeshClient(config.TOOLMESH_COORDINATOR_ADDRESS, {
    token: config.TOOLMESH_GRPC_TOKEN,
    tls,
    warn: (message) => log.warn(message),
  });
  // Unset: the coordinator's token, so one secret guards both doors (and the console).
  const token = config.TOOLMESH_MCP_TOKEN ?? config.TOOLMESH_GRPC_TOKEN;
  const nc =
    config.TOOLMESH_NATS_URL && config.TOOLMESH_CONSOLE === "on"
      ? await connectNats(baseConfigSchema.parse(config), "mcp-gateway-console")
      : undefined;
  const consoleServer =
    config.TOOLMESH_CONSOLE === "on"
      ? new ConsoleServer({
          client,
          token,
          allowedOrigins: config.TOOLMESH_MCP_ALLOWED_ORIGINS,
          ...(nc ? { pools: new PoolWatch(nc, { staleMs: 5000 }).start() } : {}),
          log,
        })
      : undefined;
  const gateway = await startGateway({
    ...(consoleServer ? { console: consoleServer } : {}),
    client,
    host: config.TOOLMESH_MCP_HOST,
    port: config.TOOLMESH_MCP_PORT,
    token,
    allowedOrigins: config.TOOLMESH_MCP_ALLOWED_ORIGINS,
    maxSessions: config.TOOLMESH_MCP_MAX_SESSIONS,
    sessionIdleMs: config.TOOLMESH_MCP_SESSION_IDLE_MS,
    toolsPollMs: config.TOOLMESH_MCP_TOOLS_POLL_MS,
    log,
  });
  const metricsServer =
    config.TOOLMESH_METRICS_PORT >= 0
      ? await serveMetrics(createRegistry("mcp-gateway"), config.TOOLMESH_METRICS_PORT, config.TOOLMESH_METRICS_HOST)
      : undefined;
  log.info(
    {
      mcpPort: gateway.port,
      mcpUrl: gateway.url,
      consoleUrl: gateway.consoleUrl,
      consolePools: nc ? "nats" : "none",
      metricsPort: metricsServer?.port,
      coordinator: config.TOOLMESH_COORDINATOR_ADDRESS,
      coordinatorTransport: !tls ? "plaintext" : tls.cert ? "mtls" : "tls",
      auth: gateway.authenticated ? "bearer" : "none",
      allowedOrigins: config.TOOLMESH_MCP_ALLOWED_ORIGINS,
    },
    "ready",
  );
  onShutdown(log, async () => {
    await gateway.close();
    client.close();
    await nc?.close();
    await metricsServer?.close();
  });
});
