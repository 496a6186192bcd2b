import type { K8sObject } from "./helm.js";

/** Kinds outside kubernetes-models' core API (prometheus-operator CRDs). */
export const CRD_KINDS = new Set(["ServiceMonitor", "PrometheusRule"]);

/**
 * Validates an object with the kubernetes-models class of its apiVersion and
 * kind (types and required fields, not unknown fields); throws with the kind
 * and name on the first error.
 */
export async function validateObject(obj: K8sObject): Promise<void> {
  const [group, version] = obj.apiVersion.includes("/") ? obj.apiVersion.split("/") : ["", obj.apiVersion];
  const module = group ? `kubernetes-models/${group}/${version}` : `kubernetes-models/${version}`;
  const models = (await import(module)) as Record<string, new (data: unknown) => { validate(): void }>;
  const Model = models[obj.kind];
  if (!Model) throw new Error(`kubernetes-models has no ${obj.apiVersion} ${obj.kind}`);
  try {
    new Model(obj).validate();
  } catch (error) {
    throw new Error(`${obj.kind}/${obj.metadata.name}: ${String(error)}`, { cause: error });
  }
}
