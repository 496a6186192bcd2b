import { chmodSync, existsSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";

/** One service process of a local stack, as `toolmesh status` reports it. */
export interface StackService {
  name: string;
  pid: number;
  metricsPort?: number | undefined;
}

/** A codebase root of the stack: the name tools take as `root`, and its directory. */
export interface StackRoot {
  name: string;
  dir: string;
}

/**
 * What `toolmesh up` started, so that other commands in other terminals
 * find it: `call`, `run`, `top` and the templates read their addresses from
 * here, `status` checks each service, `down` stops it. Written with mode
 * 0600 because it holds the stack's tokens.
 */
export interface StackState {
  version: 1;
  /** The `up` process; the state is stale once it is gone. */
  pid: number;
  startedAt: string;
  natsUrl: string;
  grpcAddress: string;
  /** The coordinator's bearer token; the CLI sends it only to `grpcAddress`. */
  grpcToken?: string | undefined;
  /** The MCP gateway's streamable HTTP endpoint (http://127.0.0.1:PORT/mcp). */
  mcpUrl?: string | undefined;
  /** The bearer token the gateway at `mcpUrl` requires (TOOLMESH_MCP_TOKEN, else `grpcToken`). */
  mcpToken?: string | undefined;
  /** The web console (http://127.0.0.1:PORT/console/), served by the same gateway behind `mcpToken`. */
  consoleUrl?: string | undefined;
  roots: StackRoot[];
  pools: string[];
  /** Pools with no worker until work for them queues up (their minimum is 0). */
  onDemandPools?: string[] | undefined;
  services: StackService[];
  logDir: string;
  /**
   * The NATS roles' credentials of `up`'s own nats-server (@toolmesh/core
   * writeNatsAuth's directory); unset when the stack uses an external server.
   */
  natsAuthDir?: string | undefined;
}

export const STACK_STATE_FILE = "stack.json";

/**
 * The state file to use: TOOLMESH_STATE_DIR/stack.json when set, else the
 * nearest `.toolmesh/stack.json` from `from` up to the filesystem root (as git
 * finds .git), else `<from>/.toolmesh/stack.json` (where `up` writes it).
 */
export function stackStatePath(from: string = process.cwd(), env: NodeJS.ProcessEnv = process.env): string {
  if (env.TOOLMESH_STATE_DIR) return resolve(env.TOOLMESH_STATE_DIR, STACK_STATE_FILE);
  for (let dir = resolve(from); ; dir = dirname(dir)) {
    const candidate = join(dir, ".toolmesh", STACK_STATE_FILE);
    if (existsSync(candidate)) return candidate;
    if (dirname(dir) === dir) break;
  }
  return resolve(from, ".toolmesh", STACK_STATE_FILE);
}

export function processIsAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: it exists but belongs to someone else.
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}

/**
 * Writes the state atomically (temp file + rename), readable by its owner
 * only. The temp file is made anew ("wx") so the tokens never land in a
 * file someone else made or opened with looser bits.
 */
export function writeStackState(path: string, state: StackState): void {
  const temp = `${path}.${process.pid}.tmp`;
  rmSync(temp, { force: true });
  writeFileSync(temp, `${JSON.stringify(state, null, 2)}\n`, { mode: 0o600, flag: "wx" });
  chmodSync(temp, 0o600);
  renameSync(temp, path);
}

export interface StackLookup {
  /** The running stack, if any. */
  state: StackState | undefined;
  /** The state file looked at. */
  path: string;
  /** A state file whose `up` is gone (killed): what it described. */
  stale?: StackState | undefined;
}

/**
 * The running stack's state, or why there is none: no file, or a file whose
 * `up` process is gone (`stale`, e.g. after a SIGKILL).
 */
export function findStack(from?: string, env?: NodeJS.ProcessEnv): StackLookup {
  const path = stackStatePath(from, env);
  let state: StackState;
  try {
    state = JSON.parse(readFileSync(path, "utf8")) as StackState;
  } catch {
    return { state: undefined, path };
  }
  if (state.version !== 1 || !Number.isInteger(state.pid)) return { state: undefined, path };
  return processIsAlive(state.pid) ? { state, path } : { state: undefined, path, stale: state };
}

/** The running stack's state, if there is one. */
export function readStackState(from?: string, env?: NodeJS.ProcessEnv): StackState | undefined {
  return findStack(from, env).state;
}

/** Removes the file if it still describes `pid`'s stack (a newer `up` may have replaced it). */
export function removeStackState(path: string, pid: number = process.pid): void {
  try {
    const state = JSON.parse(readFileSync(path, "utf8")) as StackState;
    if (state.pid !== pid) return;
  } catch {
    return;
  }
  rmSync(path, { force: true });
}
