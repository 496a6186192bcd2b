import { connectivityState, status } from "@grpc/grpc-js";
import { ToolmeshClient, isTlsProblem, type ClientTlsOptions } from "@toolmesh/client";
import { readRoleCredentials, roleCredentialsFile, roleEnv, type NatsRole } from "@toolmesh/core";
import { findStack, type StackLookup, type StackState } from "@toolmesh/local";
import { existsSync } from "node:fs";
import { resolveTls, type TlsFlags } from "./connection-flags.js";

export const DEFAULT_ADDRESS = "127.0.0.1:50051";
export const DEFAULT_NATS_URL = "nats://127.0.0.1:4222";

/** Where the coordinator's address came from, in the order they win. */
export type AddressSource = "--address" | "TOOLMESH_ADDRESS" | "stack" | "default";

/** How the CLI reaches the coordinator, and the stack lookup behind it (for hints). */
export interface Connection {
  address: string;
  source: AddressSource;
  token: string | undefined;
  /** TLS from the --tls-* flags and TOOLMESH_GRPC_TLS_* (files read and checked); undefined: plain text. */
  tls: ClientTlsOptions | undefined;
  /** The running stack from `up`'s state file, or why there is none. */
  stack: StackLookup;
  cwd: string;
  env: NodeJS.ProcessEnv;
}

/** An environment variable, with "" counting as unset. */
const fromEnv = (env: NodeJS.ProcessEnv, name: string): string | undefined => env[name] || undefined;

/**
 * The coordinator's address: --address > TOOLMESH_ADDRESS > the running
 * stack's (`up`'s state file) > 127.0.0.1:50051. The token:
 * TOOLMESH_GRPC_TOKEN > the stack's — the stack's only when the address is
 * the stack's, so its token never goes to another server.
 */
export function resolveConnection(
  options: { address?: string | undefined; tls?: TlsFlags | undefined; env?: NodeJS.ProcessEnv; cwd?: string } = {},
): Connection {
  const env = options.env ?? process.env;
  const cwd = options.cwd ?? process.cwd();
  const stack = findStack(cwd, env);
  const candidates: Array<[string | undefined, AddressSource]> = [
    [options.address, "--address"],
    [fromEnv(env, "TOOLMESH_ADDRESS"), "TOOLMESH_ADDRESS"],
    [stack.state?.grpcAddress, "stack"],
    [DEFAULT_ADDRESS, "default"],
  ];
  const [address, source] = candidates.find(([value]) => value) as [string, AddressSource];
  const stackToken = stack.state && stack.state.grpcAddress === address ? stack.state.grpcToken : undefined;
  return { address, source, token: fromEnv(env, "TOOLMESH_GRPC_TOKEN") ?? stackToken, tls: resolveTls(options.tls, env), stack, cwd, env };
}

/**
 * A NATS role's login from the stack's credentials (`up`'s own server), as
 * environment for connectNats; empty when the stack has none (an external server).
 */
export function stackRoleEnv(state: StackState, role: NatsRole): Record<string, string> {
  return state.natsAuthDir ? roleEnv(readRoleCredentials(roleCredentialsFile(state.natsAuthDir, role))) : {};
}

/**
 * The NATS URL of `toolmesh top`: TOOLMESH_NATS_URL > the running stack's >
 * nats://127.0.0.1:4222, and the login for `role`: the stack's for that role
 * when the URL is the stack's, else whatever TOOLMESH_NATS_* the environment gives.
 */
export function resolveNatsUrl(options: { env?: NodeJS.ProcessEnv; cwd?: string; role?: NatsRole } = {}): {
  url: string;
  /** Where it came from, for messages. */ source: string;
  /** TOOLMESH_NATS_USER etc. of the role (the stack's). */ credentials: Record<string, string>;
} {
  const env = options.env ?? process.env;
  const fromVariable = fromEnv(env, "TOOLMESH_NATS_URL");
  const stack = findStack(options.cwd ?? process.cwd(), env);
  const credentials =
    stack.state && options.role && (!fromVariable || fromVariable === stack.state.natsUrl) ? stackRoleEnv(stack.state, options.role) : {};
  if (fromVariable) return { url: fromVariable, source: "from TOOLMESH_NATS_URL", credentials };
  if (stack.state) return { url: stack.state.natsUrl, source: `of the stack recorded in ${stack.path}`, credentials };
  return {
    url: DEFAULT_NATS_URL,
    credentials,
    source: `the default: ${noStack(stack, options.cwd ?? process.cwd(), env)}; start one with \`npx toolmesh up\`, or set TOOLMESH_NATS_URL`,
  };
}

/** A client of the coordinator: at `target`, or where resolveConnection finds it. */
export function clientFrom(target?: string | Connection): ToolmeshClient {
  const connection = typeof target === "object" ? target : resolveConnection({ address: target });
  return new ToolmeshClient(connection.address, {
    token: connection.token,
    tls: connection.tls,
    warn: (message) => void process.stderr.write(`warning: ${message}\n`),
  });
}

const GRPC_UNAVAILABLE = 14;

/**
 * grpc-js's own messages for a call that never reached a server: no
 * connection (pick-first), name resolution, a dropped connection, a closed
 * channel. Anchored at the start: a tool's error from the coordinator starts
 * with the tool's name ("web.fetch: getaddrinfo ENOTFOUND …").
 */
const UNREACHED =
  /^(No connection established|Name resolution failed|Connection dropped|Channel closed|Stream refused|Received HTTP status code|Failed to connect)/;

/**
 * Whether an UNAVAILABLE means the coordinator could not be reached, as
 * opposed to the coordinator (or a tool through it) answering UNAVAILABLE.
 * With the client at hand the channel says so: a server answered only if
 * the channel is READY right after. Without it, grpc-js's own messages do.
 */
export function coordinatorUnreachable(err: unknown, client?: ToolmeshClient): boolean {
  if (!isGrpcError(err) || Number(err.code) !== GRPC_UNAVAILABLE) return false;
  if (client) return client.raw.getChannel().getConnectivityState(false) !== connectivityState.READY;
  return UNREACHED.test(String(err.details));
}

function isGrpcError(err: unknown): err is { code: unknown; details: unknown } {
  return typeof err === "object" && err !== null && "code" in err && "details" in err;
}

/** Why no running stack was found: no state file, a stale one, or one that is not a state file. */
export function noStackReason(connection: Pick<Connection, "stack" | "cwd" | "env">): string {
  return noStack(connection.stack, connection.cwd, connection.env);
}

function noStack(stack: StackLookup, cwd: string, env: NodeJS.ProcessEnv): string {
  if (stack.stale) return `the stack recorded in ${stack.path} is gone (its up process ${stack.stale.pid} exited)`;
  if (existsSync(stack.path)) return `no toolmesh stack is running (${stack.path} is not a stack state file)`;
  return `no toolmesh stack is running (${env.TOOLMESH_STATE_DIR ? `no ${stack.path}` : `no .toolmesh/stack.json from ${cwd} up`})`;
}

/** Why the coordinator at the connection's address did not answer, and what to do. */
export function unreachableHint(connection: Connection): string {
  const where = `nothing answers at ${connection.address}`;
  switch (connection.source) {
    case "--address":
      return `${where} (from --address)`;
    case "TOOLMESH_ADDRESS":
      return `${where} (from TOOLMESH_ADDRESS)`;
    case "stack":
      return `${where}, the coordinator of the stack recorded in ${connection.stack.path} (up process ${connection.stack.state?.pid}); \`npx toolmesh status\` checks its services, its logs are in ${connection.stack.state?.logDir}`;
    default:
      return `${noStack(connection.stack, connection.cwd, connection.env)}; start one with \`npx toolmesh up\`, or set TOOLMESH_ADDRESS`;
  }
}

/**
 * One line for a failed gRPC call, e.g. "PERMISSION_DENIED: path escapes the
 * root". When the coordinator itself could not be reached, it says where the
 * CLI looked for it — not when a tool's own UNAVAILABLE came back through it.
 */
export function describeGrpcError(err: unknown, context?: { connection: Connection; client?: ToolmeshClient }): string {
  if (isGrpcError(err)) {
    const code = Number(err.code);
    // A failed TLS handshake reached the coordinator: "is the stack up?" would send the reader the wrong way.
    const unreached = !isTlsProblem(err) && coordinatorUnreachable(err, context?.client);
    const hint = unreached
      ? ` (is the stack up? ${context ? unreachableHint(context.connection) : "run `npx toolmesh up`, or set TOOLMESH_ADDRESS"})`
      : "";
    // grpc-js ends "No connection established" with an empty "Resolution note: ".
    const details = String(err.details).replace(/\. Resolution note: *$/, "");
    return `${status[code] ?? code}: ${details}${hint}`;
  }
  return err instanceof Error ? err.message : String(err);
}
