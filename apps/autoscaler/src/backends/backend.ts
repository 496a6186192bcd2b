import type { PoolName } from "@toolmesh/core";

/** Where replicas are changed: a process supervisor here, or Kubernetes. */
export interface ScaleBackend {
  readonly name: string;
  /** Replicas running (or asked for) now. */
  current(pool: PoolName): Promise<number>;
  /** Makes the pool run `replicas`; scale-down lets the stopped workers drain. */
  apply(pool: PoolName, replicas: number): Promise<void>;
  /** Releases what the backend holds (the local one stops its workers, draining them). */
  close(): Promise<void>;
}

/** The service (apps/<service>, Deployment <prefix>-<service>) that serves each pool. */
export const SERVICE_OF_POOL: Readonly<Record<PoolName, string>> = {
  codebase: "codebase",
  web: "web-search",
  bash: "bash",
  agent: "agent",
  test: "testpool",
};
