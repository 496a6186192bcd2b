import { randomBytes } from "node:crypto";
import { OUTPUTS_BUCKET } from "./outputs.js";
import { POOL_TABLE } from "./pool-table.js";
import { isMcpPool, isNativePool, MCP_POOL_PREFIX, NATIVE_POOLS, type PoolName } from "./pools.js";
import { Bus, Consumers, Streams } from "./subjects.js";

/**
 * Who may do what on NATS: the one table of roles → subjects (docs/architecture.md
 * "NATS roles"). `toolmesh up` renders it into nats-server's config; the Helm
 * chart mirrors it. Every subject here was seen in nats-server's
 * "Permissions Violation" log while the real stack ran with it, or is a bus of
 * the architecture; nothing is `>` for a role but the coordinator's JetStream API.
 */

/** KV buckets and object stores, by the names their owners use (test/integration/nats-roles.test.ts keeps them equal). */
export const Buckets = {
  limits: "TM_LIMITS",
  catalog: "TM_CATALOG",
  workflows: "TM_WORKFLOWS",
  attempts: "TM_ATTEMPTS",
  outputs: OUTPUTS_BUCKET,
} as const;

export type NatsRole = "coordinator" | "autoscaler" | "observer" | "operator" | `pool-${string}`;

export interface RolePermissions {
  publish: { allow: string[]; deny?: string[] };
  subscribe: { allow: string[]; deny?: string[] };
  /** Replies to requests received (command-bus answers): to the requester's inbox only, once. */
  allowResponses?: boolean;
}

/** The service (apps/<service>) whose processes are a pool's workers: their metrics subject's first token. */
export function poolService(pool: PoolName): string {
  return isNativePool(pool) ? POOL_TABLE[pool].service : "mcp-pool";
}

/** The role of a pool's workers. */
export function poolRole(pool: PoolName): `pool-${string}` {
  return `pool-${pool}`;
}

/**
 * The inbox prefix of a role: replies (KV gets, PubAcks, command answers)
 * come back under it, and only the role may subscribe there, so no role
 * reads another's replies (a shared `_INBOX.>` would let any client snoop them).
 */
export function roleInboxPrefix(role: NatsRole): string {
  return `_INBOX_${role}`;
}

const api = (suffix: string): string => `$JS.API.${suffix}`;
const kvStream = (bucket: string): string => `KV_${bucket}`;
const objStream = (bucket: string): string => `OBJ_${bucket}`;

/** Reading a KV bucket's keys under `prefix` (`>` for all): direct gets and the info a client opens it with. */
function kvRead(bucket: string, keys: string): string[] {
  return [api(`STREAM.INFO.${kvStream(bucket)}`), api(`DIRECT.GET.${kvStream(bucket)}.$KV.${bucket}.${keys}`)];
}

/** Watching a KV bucket's keys under `keys`: the client's ordered consumer (a random name) filtered to them. */
function kvWatch(bucket: string, keys: string): string[] {
  const stream = kvStream(bucket);
  return [
    api(`CONSUMER.CREATE.${stream}.*.$KV.${bucket}.${keys}`),
    api(`CONSUMER.MSG.NEXT.${stream}.*`),
    api(`CONSUMER.INFO.${stream}.*`),
    api(`CONSUMER.DELETE.${stream}.*`),
  ];
}

/** A pool's worker: its own queue, results, chunks, events, metrics, its own keys, answers to commands. */
function poolPermissions(pool: PoolName): RolePermissions {
  const stream = Streams.tasks(pool);
  const consumer = Consumers.poolWorkers;
  // An MCP pool's worker makes its own queue (the coordinator learns of the pool only from it); a native pool's is the coordinator's.
  const mcpName = isMcpPool(pool) ? pool.slice(MCP_POOL_PREFIX.length) : undefined;
  return {
    publish: {
      allow: [
        api("INFO"),
        api(`STREAM.INFO.${stream}`),
        ...(mcpName ? [api(`STREAM.CREATE.${stream}`)] : []),
        api(`STREAM.INFO.${Streams.events}`),
        api(`STREAM.INFO.${Streams.results}`),
        api(`CONSUMER.CREATE.${stream}.${consumer}`),
        api(`CONSUMER.INFO.${stream}.${consumer}`),
        api(`CONSUMER.MSG.NEXT.${stream}.${consumer}`),
        `$JS.ACK.${stream}.${consumer}.>`,
        `${Bus.data}.result.>`,
        // Quiet calls' results, to the coordinator instance that sent the task (only coordinators may read them).
        `${Bus.data}.reply.>`,
        `${Bus.data}.chunk.>`,
        // Only the events a worker makes: a task's start and progress, its own pool's limit changes (the rest are the coordinator's).
        `${Bus.events}.*.task.started`,
        `${Bus.events}.*.task.progress`,
        `${Bus.events}.pool.${pool}.limit`,
        `${Bus.metrics}.${poolService(pool)}.>`,
        ...kvRead(Buckets.limits, pool),
        // The first worker of any pool makes TM_LIMITS (nothing else uses it); it can read only its own key there.
        api(`STREAM.CREATE.${kvStream(Buckets.limits)}`),
        `$KV.${Buckets.limits}.${pool}`,
        ...kvRead(Buckets.attempts, `${pool}.>`),
        `$KV.${Buckets.attempts}.${pool}.>`,
        api(`STREAM.INFO.${objStream(Buckets.outputs)}`),
        // Puts only (libs/core ObjectWriter): no message get, which would read any object.
        `$O.${Buckets.outputs}.C.>`,
        `$O.${Buckets.outputs}.M.>`,
        ...(mcpName
          ? [...kvRead(Buckets.catalog, `${mcpName}.>`), ...kvWatch(Buckets.catalog, `${mcpName}.>`), `$KV.${Buckets.catalog}.${mcpName}.>`]
          : []),
      ],
      deny: [`${Bus.data}.task.>`, `${Bus.command}.>`, `$KV.${Buckets.workflows}.>`],
    },
    subscribe: {
      allow: [`${Bus.command}.cancel`, `${Bus.command}.ping`, `${Bus.command}.pool.${pool}.>`, `${roleInboxPrefix(poolRole(pool))}.>`],
    },
    allowResponses: true,
  };
}

/**
 * Every role and its permissions for a stack whose pools are `pools`
 * (native ones and `mcp-<name>`).
 */
export function natsRolePermissions(pools: readonly PoolName[]): Map<NatsRole, RolePermissions> {
  const roles = new Map<NatsRole, RolePermissions>();
  // `toolmesh top` looks at every native pool's queue, running or not.
  const taskStreams = [...new Set([...NATIVE_POOLS, ...pools])].map((pool) => Streams.tasks(pool));
  roles.set("coordinator", {
    // The coordinator makes and reads every stream, bucket and consumer of the stack.
    publish: {
      allow: [
        api(">"),
        `${Bus.data}.task.>`,
        `${Bus.command}.cancel`,
        // Commands routed to the owner of a workflow's partition, and ListWorkflows' fan-out (coordinators only).
        `${Bus.command}.coordinator.>`,
        `${Bus.events}.>`,
        // Its consumers there: one per partition (coordinator-p<n>) and its own (coordinator-i<instance>).
        `$JS.ACK.${Streams.results}.*.>`,
        // A quiet call's task is acked by the coordinator its result reached (the worker names the ack subject).
        `$JS.ACK.*.${Consumers.poolWorkers}.>`,
        "$JS.FC.>",
        "$KV.>",
        `$O.${Buckets.outputs}.>`,
      ],
    },
    subscribe: {
      allow: [
        `${Bus.events}.>`,
        `${Bus.data}.chunk.>`,
        `${Bus.data}.reply.>`,
        `${Bus.metrics}.>`,
        `${Bus.command}.coordinator.>`,
        `${roleInboxPrefix("coordinator")}.>`,
      ],
    },
    // A partition's owner answers the commands other coordinators route to it.
    allowResponses: true,
  });
  const observer: RolePermissions = {
    publish: {
      allow: [
        api("INFO"),
        ...taskStreams.flatMap((stream) => [api(`STREAM.INFO.${stream}`), api(`CONSUMER.INFO.${stream}.${Consumers.poolWorkers}`)]),
      ],
    },
    subscribe: { allow: [`${Bus.metrics}.>`, `${Bus.events}.pool.>`, `${roleInboxPrefix("observer")}.>`] },
  };
  roles.set("observer", observer);
  roles.set("autoscaler", {
    publish: { allow: [...observer.publish.allow, `${Bus.events}.pool.*.scale`] },
    subscribe: { allow: [`${Bus.metrics}.>`, `${roleInboxPrefix("autoscaler")}.>`] },
  });
  roles.set("operator", {
    publish: {
      allow: [
        ...observer.publish.allow,
        `${Bus.command}.cancel`,
        `${Bus.command}.ping`,
        ...pools.flatMap((pool) => [`${Bus.command}.pool.${pool}.set-limit`, `${Bus.command}.pool.${pool}.drain`]),
      ],
    },
    subscribe: { allow: [...observer.subscribe.allow.filter((s) => !s.startsWith("_INBOX_")), `${roleInboxPrefix("operator")}.>`] },
  });
  for (const pool of pools) roles.set(poolRole(pool), poolPermissions(pool));
  return roles;
}

/** One role's login: a user name and password made for one run, and its inbox prefix. */
export interface RoleCredentials {
  role: NatsRole;
  user: string;
  password: string;
  inboxPrefix: string;
}

/** Fresh random credentials for each role (24 random bytes of password; the user name says the role, for the server's logs). */
export function generateRoleCredentials(roles: Iterable<NatsRole>): Map<NatsRole, RoleCredentials> {
  return new Map(
    [...roles].map((role) => [
      role,
      {
        role,
        user: `${role}-${randomBytes(4).toString("hex")}`,
        password: randomBytes(24).toString("base64url"),
        inboxPrefix: roleInboxPrefix(role),
      },
    ]),
  );
}

/** The environment a process of `role` connects with (TOOLMESH_NATS_USER, _PASSWORD, _INBOX_PREFIX). */
export function roleEnv(credentials: RoleCredentials): Record<string, string> {
  return {
    TOOLMESH_NATS_USER: credentials.user,
    TOOLMESH_NATS_PASSWORD: credentials.password,
    TOOLMESH_NATS_INBOX_PREFIX: credentials.inboxPrefix,
  };
}

const quote = (value: string): string => JSON.stringify(value);
const list = (values: readonly string[]): string => `[${values.map(quote).join(", ")}]`;

function renderRule(rule: { allow: string[]; deny?: string[] }): string {
  return `{ allow: ${list(rule.allow)}${rule.deny?.length ? `, deny: ${list(rule.deny)}` : ""} }`;
}

/**
 * nats-server 2.9's `authorization { users = [...] }` block: one user per
 * role with its permissions. No `default_permissions`: a user is allowed only
 * what its role lists, and a client without a user is not let in at all.
 */
export function renderAuthorization(
  permissions: ReadonlyMap<NatsRole, RolePermissions>,
  credentials: ReadonlyMap<NatsRole, RoleCredentials>,
): string {
  const users = [...permissions].map(([role, perms]) => {
    const login = credentials.get(role);
    if (!login) throw new Error(`no credentials for NATS role ${role}`);
    return [
      `    { user: ${quote(login.user)}, password: ${quote(login.password)}, permissions: {`,
      `        publish: ${renderRule(perms.publish)}`,
      `        subscribe: ${renderRule(perms.subscribe)}`,
      ...(perms.allowResponses ? [`        allow_responses: { max: 1, expires: "1m" }`] : []),
      `    } }`,
    ].join("\n");
  });
  return `authorization {\n  users = [\n${users.join("\n")}\n  ]\n}\n`;
}
