import type { Logger } from "@toolmesh/core";
import type { AutoscalerConfig } from "../config.js";
import { splitCap } from "../policy/index.js";
import type { ScaleBackend } from "./backend.js";
import { LocalProcessBackend } from "./local.js";

/**
 * The backend the configuration names. The Kubernetes client (tens of MB
 * resident) is loaded only when that backend is chosen.
 */
export async function createBackend(config: AutoscalerConfig, log: Logger): Promise<ScaleBackend> {
  const { raw } = config;
  if (raw.TOOLMESH_AUTOSCALER_BACKEND === "local") {
    return new LocalProcessBackend({
      natsUrl: raw.TOOLMESH_NATS_URL,
      log,
      drainGraceMs: raw.TOOLMESH_AUTOSCALER_DRAIN_GRACE_MS,
      startStallMs: raw.TOOLMESH_AUTOSCALER_WORKER_STALL_MS,
      logDir: raw.TOOLMESH_AUTOSCALER_LOG_DIR,
      mcpPools: config.mcpPools,
      poolCredentialsDir: raw.TOOLMESH_AUTOSCALER_POOL_CREDENTIALS_DIR,
    });
  }
  // Each pool's ceiling when every pool wants its maximum: its max, or less where the cap binds.
  const ceilings = splitCap(
    config.pools.map((pool) => ({ pool, want: config.bounds.get(pool)!.max, min: config.bounds.get(pool)!.min })),
    config.maxInstances,
  );
  const { KubernetesBackend, loadKubeConfig } = await import("./kubernetes.js");
  return new KubernetesBackend({
    kubeConfig: loadKubeConfig(raw.TOOLMESH_KUBECONFIG),
    namespace: raw.TOOLMESH_K8S_NAMESPACE,
    prefix: raw.TOOLMESH_K8S_DEPLOYMENT_PREFIX,
    mode: raw.TOOLMESH_K8S_MODE,
    ceiling: (pool) => ceilings.get(pool) ?? config.bounds.get(pool)?.max ?? 1,
  });
}
