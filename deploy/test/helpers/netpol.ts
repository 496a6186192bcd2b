import type { K8sObject } from "./helm.js";

/**
 * A small NetworkPolicy evaluator (networking.k8s.io/v1 semantics, IPv4) for
 * the rendered policies: a connection is allowed when the source's egress and
 * the destination's ingress both allow it. A pod no policy selects (for that
 * direction) is unrestricted; a selected one gets only what some rule allows.
 */
export interface Endpoint {
  /** Pod labels; absent for an address outside the cluster. */
  labels?: Record<string, string>;
  namespace?: string;
  /** The pod's or the outside address. */
  ip: string;
  /** Named container ports (what a policy's `port: metrics` means). */
  ports?: Record<string, number>;
}

const NAMESPACE = "tools";

function matchesSelector(selector: any, labels: Record<string, string>): boolean {
  for (const [key, value] of Object.entries(selector?.matchLabels ?? {})) if (labels[key] !== value) return false;
  for (const e of selector?.matchExpressions ?? []) {
    const has = Object.hasOwn(labels, e.key);
    if (e.operator === "In" && !(has && e.values.includes(labels[e.key]))) return false;
    if (e.operator === "NotIn" && has && e.values.includes(labels[e.key])) return false;
    if (e.operator === "Exists" && !has) return false;
    if (e.operator === "DoesNotExist" && has) return false;
  }
  return true;
}

const ipv4 = (ip: string): number => ip.split(".").reduce((n, part) => n * 256 + Number(part), 0);

function inCidr(ip: string, cidr: string): boolean {
  if (cidr.includes(":") || ip.includes(":")) return false;
  const [base, bits] = cidr.split("/");
  const size = 2 ** (32 - Number(bits));
  return Math.floor(ipv4(ip) / size) === Math.floor(ipv4(base!) / size);
}

function matchesPeer(peer: any, other: Endpoint): boolean {
  if (peer.ipBlock) return inCidr(other.ip, peer.ipBlock.cidr) && !(peer.ipBlock.except ?? []).some((c: string) => inCidr(other.ip, c));
  if (!other.labels) return false;
  const sameNamespace = (other.namespace ?? NAMESPACE) === NAMESPACE;
  if (!peer.namespaceSelector && !sameNamespace) return false;
  return peer.podSelector ? matchesSelector(peer.podSelector, other.labels) : true;
}

function matchesPort(ports: any[] | undefined, dest: Endpoint, port: number, protocol: string): boolean {
  if (!ports?.length) return true;
  return ports.some((p) => {
    if ((p.protocol ?? "TCP") !== protocol) return false;
    if (p.port === undefined) return true;
    return typeof p.port === "number" ? p.port === port : dest.ports?.[p.port] === port;
  });
}

function side(
  policies: K8sObject[],
  pod: Endpoint,
  type: "Ingress" | "Egress",
  peer: Endpoint,
  dest: Endpoint,
  port: number,
  protocol: string,
) {
  if (!pod.labels) return true;
  const selecting = policies.filter((p) => p.spec.policyTypes.includes(type) && matchesSelector(p.spec.podSelector, pod.labels!));
  if (selecting.length === 0) return true;
  const key = type === "Ingress" ? "from" : "to";
  return selecting.some((p) =>
    (p.spec[type.toLowerCase()] ?? []).some(
      (rule: any) =>
        (!rule[key]?.length || rule[key].some((r: any) => matchesPeer(r, peer))) && matchesPort(rule.ports, dest, port, protocol),
    ),
  );
}

/** Whether `from` may open a connection to `to` on `port`. */
export function allowed(policies: K8sObject[], from: Endpoint, to: Endpoint, port: number, protocol = "TCP"): boolean {
  return side(policies, from, "Egress", to, to, port, protocol) && side(policies, to, "Ingress", from, to, port, protocol);
}

/** A rendered workload's pod as an Endpoint (labels of its template, named ports of its containers). */
export function podOf(workload: K8sObject, ip: string): Endpoint {
  const spec = workload.spec.template;
  const ports: Record<string, number> = {};
  for (const c of spec.spec.containers) for (const p of c.ports ?? []) if (p.name) ports[p.name] = p.containerPort;
  return { labels: spec.metadata.labels, ip, ports };
}
