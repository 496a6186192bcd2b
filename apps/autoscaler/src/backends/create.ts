import type { Logger } from "@toolmesh/core";
import type { AutoscalerConfig } from "../config.js";
import { splitCap } from "../policy/index.js";
import type { ScaleBackend } from "./backend.js";
import { KubernetesBackend, loadKubeConfig } from "./kubernetes.js";
import { LocalProcessBackend } from "./local.js";

/** The backend the configuration names. */
export function createBackend(config: AutoscalerConfig, log: Logger): ScaleBackend {
  const { raw } = config;
  if (raw.TOOLMESH_AUTOSCALER_BACKEND === "local") {
    return new LocalProcessBackend({ natsUrl: raw.TOOLMESH_NATS_URL, log, drainGraceMs: raw.TOOLMESH_AUTOSCALER_DRAIN_GRACE_MS, logDir: raw.TOOLMESH_AUTOSCALER_LOG_DIR });
  }
  // Each pool's ceiling when every pool wants its maximum: its max, or less where the cap binds.
  const ceilings = splitCap(
    config.pools.map((pool) => ({ pool, want: config.bounds.get(pool)!.max, min: config.bounds.get(pool)!.min })),
    config.maxInstances,
  );
  return new KubernetesBackend({
    kubeConfig: loadKubeConfig(raw.TOOLMESH_KUBECONFIG),
    namespace: raw.TOOLMESH_K8S_NAMESPACE,
    prefix: raw.TOOLMESH_K8S_DEPLOYMENT_PREFIX,
    mode: raw.TOOLMESH_K8S_MODE,
    ceiling: (pool) => ceilings.get(pool) ?? config.bounds.get(pool)?.max ?? 1,
  });
}
