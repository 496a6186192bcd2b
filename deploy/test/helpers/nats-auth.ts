import type { RolePermissions } from "@toolmesh/core";
import { type K8sObject, find } from "./helm.js";

/** The vendored server's auth objects under release `tm`. */
export const NATS_AUTH = "tm-nats-auth";

/** One user line of the chart's auth.conf: `{ user: $<role>-user, password: $<role>-password, permissions: <JSON> }`. */
const USER_LINE = /^\s*\{ user: \$(\S+)-user, password: \$(\S+)-password, permissions: (\{.*\}) \}$/;

/** The permissions in a rendered auth.conf, by role (the name its variables carry). */
export function renderedPermissions(objects: K8sObject[]): Map<string, any> {
  const conf: string = find(objects, "ConfigMap", NATS_AUTH)!.data["auth.conf"];
  const roles = new Map<string, any>();
  for (const line of conf.split("\n")) {
    const match = USER_LINE.exec(line);
    if (!match) continue;
    if (match[1] !== match[2]) throw new Error(`user and password of different roles: ${line}`);
    roles.set(match[1]!, JSON.parse(match[3]!));
  }
  return roles;
}

const sorted = (list: readonly string[] | undefined): string[] => [...(list ?? [])].sort();

/** A role's rules in one shape for both sides: sorted lists (their order means nothing to nats-server). */
export function normalize(perms: RolePermissions): object {
  return {
    publish: { allow: sorted(perms.publish.allow), deny: sorted(perms.publish.deny) },
    subscribe: { allow: sorted(perms.subscribe.allow), deny: sorted(perms.subscribe.deny) },
    allowResponses: perms.allowResponses ?? false,
  };
}

/** The chart's JSON (nats-server's field names) in natsRolePermissions' shape. */
export function fromConf(perms: any): RolePermissions {
  return { publish: perms.publish, subscribe: perms.subscribe, ...(perms.allow_responses ? { allowResponses: true } : {}) };
}

/** The generated Secret's keys, decoded. */
export function secretData(objects: K8sObject[], name = NATS_AUTH): Record<string, string> {
  const data: Record<string, string> = find(objects, "Secret", name)!.data;
  return Object.fromEntries(Object.entries(data).map(([key, value]) => [key, Buffer.from(value, "base64").toString()]));
}

export const envOf = (container: any): Map<string, any> => new Map((container.env ?? []).map((e: any) => [e.name, e]));

/** Names of the roles a natsRolePermissions map holds, sorted. */
export const roleNames = (roles: ReadonlyMap<string, unknown>): string[] => [...roles.keys()].sort();
