import { chmodSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { generateRoleCredentials, natsRolePermissions, renderAuthorization, type NatsRole, type RoleCredentials } from "./nats-roles.js";
import type { PoolName } from "./pools.js";

/** What writeNatsAuth made: the server's config file and each role's credentials file. */
export interface NatsAuthFiles {
  dir: string;
  /** nats-server config with the `authorization` block (start the server with `-c`). */
  configFile: string;
  credentials: Map<NatsRole, RoleCredentials>;
  /** `<dir>/<role>.json` for a role. */
  fileOf(role: NatsRole): string;
}

export const NATS_AUTH_CONFIG = "nats-server.conf";

/** Pools' files live apart, so the autoscaler can be given their directory and not the others'. */
export const POOL_CREDENTIALS_SUBDIR = "pools";

/** `<dir>/<role>.json` (a pool's: `<dir>/pools/pool-<pool>.json`): one role's user, password and inbox prefix. */
export function roleCredentialsFile(dir: string, role: NatsRole): string {
  return role.startsWith("pool-") ? join(dir, POOL_CREDENTIALS_SUBDIR, `${role}.json`) : join(dir, `${role}.json`);
}

function writePrivate(path: string, text: string): void {
  writeFileSync(path, text, { mode: 0o600 });
  // writeFileSync's mode applies only to a new file; an old one keeps its own.
  chmodSync(path, 0o600);
}

/**
 * Fresh credentials for every role of a stack with `pools`, written to `dir`
 * (made 0700): the server config and one file per role, each 0600 and
 * readable by this user only. Every call makes new passwords.
 */
export function writeNatsAuth(dir: string, pools: readonly PoolName[]): NatsAuthFiles {
  for (const path of [dir, join(dir, POOL_CREDENTIALS_SUBDIR)]) {
    mkdirSync(path, { recursive: true, mode: 0o700 });
    chmodSync(path, 0o700);
  }
  const permissions = natsRolePermissions(pools);
  const credentials = generateRoleCredentials(permissions.keys());
  const configFile = join(dir, NATS_AUTH_CONFIG);
  writePrivate(
    configFile,
    `# Written by toolmesh for one run: the NATS roles and this run's credentials.\n${renderAuthorization(permissions, credentials)}`,
  );
  for (const [role, login] of credentials) writePrivate(roleCredentialsFile(dir, role), `${JSON.stringify(login, null, 2)}\n`);
  return { dir, configFile, credentials, fileOf: (role) => roleCredentialsFile(dir, role) };
}

/** Reads one role's credentials file as writeNatsAuth wrote it; throws naming the file when it is not one. */
export function readRoleCredentials(file: string): RoleCredentials {
  const value = JSON.parse(readFileSync(file, "utf8")) as Partial<RoleCredentials>;
  if (
    typeof value.user !== "string" ||
    typeof value.password !== "string" ||
    typeof value.inboxPrefix !== "string" ||
    typeof value.role !== "string"
  ) {
    throw new Error(`${file} is not a toolmesh NATS credentials file (user, password, inboxPrefix, role)`);
  }
  return value as RoleCredentials;
}
