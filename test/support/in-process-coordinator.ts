import { connect, type NatsConnection } from "@nats-io/transport-node";
import { coordinatorConfigSchema, startCoordinator, type RunningCoordinator } from "@toolmesh/coordinator";
import { loadConfig, type Logger } from "@toolmesh/core";

/**
 * A coordinator in this process on its own NATS connection (pushed onto
 * `connections` for the caller to close), gRPC on a free loopback port,
 * `env` on top (e.g. TOOLMESH_PARTITIONS).
 */
export async function startInProcessCoordinator(
  natsUrl: string,
  env: Record<string, string>,
  log: Logger,
  connections: NatsConnection[],
): Promise<RunningCoordinator> {
  const nc = await connect({ servers: natsUrl });
  connections.push(nc);
  const config = loadConfig("coordinator", coordinatorConfigSchema, {
    TOOLMESH_NATS_URL: natsUrl,
    TOOLMESH_GRPC_HOST: "127.0.0.1",
    TOOLMESH_GRPC_PORT: "0",
    ...env,
  });
  return startCoordinator(config, nc, log);
}
