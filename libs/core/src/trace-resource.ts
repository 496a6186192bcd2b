import type { Resource } from "@opentelemetry/resources";
import { createRequire } from "node:module";
import { ATTR_SERVICE_INSTANCE_ID, ATTR_SERVICE_NAME, ATTR_SERVICE_NAMESPACE, ATTR_SERVICE_VERSION } from "./semconv.js";

const require = createRequire(import.meta.url);

/** toolmesh's release, from the core package: every service ships with the same one. */
export const TOOLMESH_VERSION = (require("../package.json") as { version: string }).version;

export interface ResourceOptions {
  /** service.name unless OTEL_SERVICE_NAME or OTEL_RESOURCE_ATTRIBUTES say otherwise. */
  service: string;
  /** service.instance.id: the service's own instance id where it has one (a worker's), a random UUID otherwise. */
  instanceId?: string | undefined;
}

/**
 * The process's resource, built with the SDK's own detectors: the SDK's
 * defaults (telemetry.sdk.*), then toolmesh's service.name / namespace
 * ("toolmesh") / version / instance.id, then host and process, then the
 * environment (OTEL_RESOURCE_ATTRIBUTES, then OTEL_SERVICE_NAME) over all of
 * them — the precedence the specification gives.
 */
export function traceResource(options: ResourceOptions): Resource {
  const resources = require("@opentelemetry/resources") as typeof import("@opentelemetry/resources");
  const { randomUUID } = require("node:crypto") as typeof import("node:crypto");
  const own = resources.resourceFromAttributes({
    [ATTR_SERVICE_NAME]: options.service,
    [ATTR_SERVICE_NAMESPACE]: "toolmesh",
    [ATTR_SERVICE_VERSION]: TOOLMESH_VERSION,
    [ATTR_SERVICE_INSTANCE_ID]: options.instanceId ?? randomUUID(),
  });
  const detected = resources.detectResources({
    detectors: [resources.hostDetector, resources.processDetector, resources.envDetector],
  });
  return resources.defaultResource().merge(own).merge(detected);
}
