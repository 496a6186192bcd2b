import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { Registry, collectDefaultMetrics } from "prom-client";

/**
 * The label every series of a service carries with the service's name. Not
 * `service`: prometheus-operator (and the usual kubernetes_sd configs) set a
 * target label `service` to the Kubernetes Service's name, and without
 * honor_labels Prometheus would keep that one and move ours to exported_service.
 */
export const SERVICE_LABEL = "toolmesh_service";

/** A registry per service, with Node's default metrics labelled by service (SERVICE_LABEL). */
export function createRegistry(service: string): Registry {
  const registry = new Registry();
  registry.setDefaultLabels({ [SERVICE_LABEL]: service });
  collectDefaultMetrics({ register: registry });
  return registry;
}

export interface MetricsServer {
  port: number;
  close(): Promise<void>;
}

/**
 * Serves GET /metrics in Prometheus text format, and the probes: /healthz
 * (200 while the process serves) and /readyz (200 while `ready()` says so,
 * e.g. not draining; 503 otherwise). port 0 picks a free port.
 */
export async function serveMetrics(
  registry: Registry,
  port: number,
  host: string,
  ready: () => boolean = () => true,
): Promise<MetricsServer> {
  const server: Server = createServer((req, res) => {
    if (req.url === "/healthz") {
      res.writeHead(200, { "content-type": "text/plain" }).end("ok\n");
      return;
    }
    if (req.url === "/readyz") {
      const isReady = ready();
      res.writeHead(isReady ? 200 : 503, { "content-type": "text/plain" }).end(isReady ? "ready\n" : "not ready\n");
      return;
    }
    if (req.url !== "/metrics") {
      res.writeHead(404).end("not found: try /metrics, /healthz or /readyz\n");
      return;
    }
    registry
      .metrics()
      .then((body) => res.writeHead(200, { "content-type": registry.contentType }).end(body))
      .catch((err: unknown) => res.writeHead(500).end(String(err)));
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => resolve());
  });
  return {
    port: (server.address() as AddressInfo).port,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
