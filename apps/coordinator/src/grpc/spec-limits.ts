import { maxPayloadOf, maxTaskArgsBytes } from "@toolmesh/core";
import type { SpecLimits } from "@toolmesh/spec";
import type { ServiceDeps } from "./service.js";

/** specLimits made once per server (again when the server's max_payload changes), not per call. */
const limitsByDeps = new WeakMap<ServiceDeps, { maxPayload: number; limits: SpecLimits }>();

/**
 * The spec limits with the bus's: one task's arguments must fit a NATS
 * message (max_payload less room for the rest of the task message and its
 * stored record), checked before anything is stored or published.
 */
export function specLimits(deps: ServiceDeps): SpecLimits {
  const maxPayload = maxPayloadOf(deps.nc);
  let cached = limitsByDeps.get(deps);
  if (cached?.maxPayload !== maxPayload) {
    cached = { maxPayload, limits: { ...deps.limits, maxTaskBytes: maxTaskArgsBytes(maxPayload) } };
    limitsByDeps.set(deps, cached);
  }
  return cached.limits;
}
