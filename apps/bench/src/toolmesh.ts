import { ToolmeshClient } from "@toolmesh/client";
import type { BenchTarget } from "./measure.js";
import { CALL_TIMEOUT_MS, ECHO_VALUE, echoMismatch } from "./payload.js";
import { ProcessGroup, appScript } from "./processes.js";

/** The test pool's hard ceiling (POOLS.test.maxLimit). */
const MAX_POOL_LIMIT = 256;

/**
 * The whole production path as separate processes: gRPC CallTools (one
 * stream for all calls) or CallTool (a request per call) → the
 * coordinator → the pool's JetStream work queue → one testpool worker →
 * TM_RESULTS → the coordinator → the gRPC reply.
 */
export async function startToolmesh(natsUrl: string, concurrency: number, transport: "stream" | "unary"): Promise<BenchTarget> {
  const group = new ProcessGroup();
  // info, the production default; it is also the level at which the services
  // announce "ready", so a quieter one would hang the start-up.
  const common = { TOOLMESH_NATS_URL: natsUrl, TOOLMESH_METRICS_PORT: "-1", TOOLMESH_LOG_LEVEL: "info" };
  try {
    const [coordinator] = await group.start(
      {
        name: "coordinator",
        script: appScript("coordinator"),
        env: { ...common, TOOLMESH_GRPC_HOST: "127.0.0.1", TOOLMESH_GRPC_PORT: "0" },
      },
      {
        name: "testpool",
        script: appScript("testpool"),
        env: { ...common, TOOLMESH_POOL_LIMIT: String(Math.min(MAX_POOL_LIMIT, Math.max(1, concurrency))) },
      },
    );
    const port = Number(coordinator!.ready.grpcPort);
    if (!Number.isInteger(port) || port <= 0)
      throw new Error(`coordinator's ready line has no grpcPort: ${JSON.stringify(coordinator!.ready)}`);
    const client = new ToolmeshClient(`127.0.0.1:${port}`, { timeoutMs: CALL_TIMEOUT_MS });
    const session = transport === "stream" ? client.session() : undefined;
    const request = { tool: "test.echo", args: { value: ECHO_VALUE }, timeoutMs: CALL_TIMEOUT_MS };
    return {
      name: transport === "stream" ? "toolmesh CallTools stream" : "toolmesh unary CallTool",
      async call() {
        const status = await (session ? session.call(request) : client.call(request));
        const value: unknown = status.output?.value;
        if (value !== ECHO_VALUE) throw echoMismatch("toolmesh", value);
      },
      async close() {
        await session?.close();
        client.close();
        await group.stopAll();
      },
    };
  } catch (err) {
    await group.stopAll();
    throw err;
  }
}
