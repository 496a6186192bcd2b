/**
 * @toolmesh/autoscaler — decides replicas per pool from the metrics bus and
 * JetStream consumer lag, and applies them through a local process
 * supervisor or Kubernetes (scale subresource or HPA floor).
 *
 *   const autoscaler = await startAutoscaler({ nc, backend: new LocalProcessBackend({...}), log, registry, pools: ["test"], ... });
 *   await autoscaler.close(); // drains the local backend's workers
 */
export { startAutoscaler } from "./autoscaler.js";
export type { Autoscaler, AutoscalerOptions } from "./autoscaler.js";
export { SERVICE_OF_POOL } from "./backends/backend.js";
export type { ScaleBackend } from "./backends/backend.js";
export { createBackend } from "./backends/create.js";
export { KubernetesBackend, loadKubeConfig } from "./backends/kubernetes.js";
export type { KubernetesBackendOptions, KubernetesMode } from "./backends/kubernetes.js";
export { LocalProcessBackend } from "./backends/local.js";
export type { LocalBackendOptions } from "./backends/local.js";
export { autoscalerConfigSchema, maxInstancesFlag, parseAutoscalerConfig } from "./config.js";
export type { AutoscalerConfig } from "./config.js";
export { readQueueState } from "./queue-state.js";
export type { QueueState } from "./queue-state.js";
export {
  POOL_SHARES,
  ScalingPolicy,
  Stabiliser,
  applyHealth,
  judgeHealth,
  replicasForBacklog,
  shareOf,
  splitCap,
  summariseLoad,
} from "./policy/index.js";
export type {
  CapRequest,
  Direction,
  HealthVerdict,
  InstanceCounters,
  PolicySettings,
  PoolLoad,
  PoolObservation,
  ScaleDecision,
} from "./policy/index.js";
