import { AppsV1Api, AutoscalingV2Api, KubeConfig, PatchStrategy, setHeaderOptions } from "@kubernetes/client-node";
import type { PoolName } from "@toolmesh/core";
import { deploymentOfPool, type ScaleBackend } from "./backend.js";

/**
 * Kubernetes: each pool is the Deployment `<prefix>-<service>`.
 *
 * - mode `scale` sets the Deployment's replicas through its scale
 *   subresource (what `kubectl scale` does; RBAC: deployments/scale get+patch).
 * - mode `hpa` leaves the replicas to the pool's HPA and moves its floor:
 *   minReplicas = the decision, maxReplicas = the pool's ceiling under the
 *   cap (never below the floor), so the HPA's CPU target can still add
 *   replicas above what the backlog calls for (RBAC: horizontalpodautoscalers get+patch).
 *   A pool without an HPA (404; the chart renders one per pool only when its
 *   autoscaling is on) is scaled through its Deployment's scale subresource.
 *
 * Patches are JSON merge patches (`application/merge-patch+json`), what
 * kubectl sends for the scale subresource; the client's default is JSON patch.
 */
export type KubernetesMode = "scale" | "hpa";

export interface KubernetesBackendOptions {
  kubeConfig: KubeConfig;
  namespace: string;
  prefix: string;
  mode: KubernetesMode;
  /** hpa mode: the highest replicas the pool may reach (its max, within the cap). */
  ceiling: (pool: PoolName) => number;
}

/** In-cluster service account by default; a kubeconfig file when one is named. */
export function loadKubeConfig(kubeconfigPath: string | undefined): KubeConfig {
  const kc = new KubeConfig();
  if (kubeconfigPath) kc.loadFromFile(kubeconfigPath);
  else kc.loadFromCluster();
  return kc;
}

const mergePatch = (): ReturnType<typeof setHeaderOptions> => setHeaderOptions("Content-Type", PatchStrategy.MergePatch);

export class KubernetesBackend implements ScaleBackend {
  readonly name: string;
  readonly #options: KubernetesBackendOptions;
  readonly #apps: AppsV1Api;
  readonly #autoscaling: AutoscalingV2Api;
  /** hpa mode: pools found to have no HPA, scaled like mode `scale`. */
  readonly #withoutHpa = new Set<PoolName>();

  constructor(options: KubernetesBackendOptions) {
    this.#options = options;
    this.name = `kubernetes-${options.mode}`;
    this.#apps = options.kubeConfig.makeApiClient(AppsV1Api);
    this.#autoscaling = options.kubeConfig.makeApiClient(AutoscalingV2Api);
  }

  /** The Deployment (and HPA) name of a pool. */
  resourceName(pool: PoolName): string {
    return `${this.#options.prefix}-${deploymentOfPool(pool)}`;
  }

  async current(pool: PoolName): Promise<number> {
    const ref = { name: this.resourceName(pool), namespace: this.#options.namespace };
    if (this.#options.mode === "hpa" && !this.#withoutHpa.has(pool)) {
      try {
        // What the HPA runs now (it may be above our floor for CPU), else its floor.
        const hpa = await this.#autoscaling.readNamespacedHorizontalPodAutoscaler(ref);
        return hpa.status?.currentReplicas ?? hpa.spec?.minReplicas ?? 1;
      } catch (err) {
        if ((err as { code?: number }).code !== 404) throw err;
        this.#withoutHpa.add(pool);
      }
    }
    const scale = await this.#apps.readNamespacedDeploymentScale(ref);
    return scale.spec?.replicas ?? 0;
  }

  async apply(pool: PoolName, replicas: number): Promise<void> {
    const ref = { name: this.resourceName(pool), namespace: this.#options.namespace };
    if (this.#options.mode === "scale" || this.#withoutHpa.has(pool)) {
      await this.#apps.patchNamespacedDeploymentScale({ ...ref, body: { spec: { replicas } } }, mergePatch());
      return;
    }
    // An HPA's minReplicas must be ≥ 1 and ≤ maxReplicas.
    const minReplicas = Math.max(1, replicas);
    const maxReplicas = Math.max(minReplicas, this.#options.ceiling(pool));
    await this.#autoscaling.patchNamespacedHorizontalPodAutoscaler({ ...ref, body: { spec: { minReplicas, maxReplicas } } }, mergePatch());
  }

  async close(): Promise<void> {}
}
