import { ErrorCode, ToolError } from "@toolmesh/core";
import { spawn, type ChildProcess } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdir, rm, rmdir } from "node:fs/promises";
import { join } from "node:path";

interface Holder {
  /** The holder process; none for an uncapped directory. */
  child?: ChildProcess | undefined;
  pid?: number | undefined;
  path: string;
  active: number;
  lastUsed: number;
}

export interface WorkflowWorkspacesOptions {
  /** Host directory the mount points go in (realpath'd, reachable by `uid`). */
  root: string;
  sizeMb: number;
  uid: number;
  idleMs: number;
  /** false (the service is not root, so it cannot mount): plain directories, not size-capped. */
  capped: boolean;
}

/**
 * One size-capped workspace per workflow (TOOLMESH_BASH_WORKSPACE_SCOPE=workflow).
 * bubblewrap 0.8 can cap only a tmpfs it makes itself, and that one dies with
 * the call; so each workflow gets a "holder" process with a private mount
 * namespace (`unshare --mount`) in which a tmpfs of `sizeMb`, owned by the
 * sandbox uid and mode 0700, is mounted on `<root>/<workflow>`. Calls enter
 * that namespace (`nsenter -m`, dropping to the sandbox uid) and bind it at
 * /work. The mount is invisible on the host and to every other workflow, and
 * is gone when the holder dies: after `idleMs` without a call, on close(),
 * or with the service (the holder has PDEATHSIG). Needs root; without it
 * (`capped: false`) a workflow gets a plain directory, capped only by
 * whatever limits the file system it is on, removed after `idleMs` the same way.
 */
export class WorkflowWorkspaces {
  readonly #holders = new Map<string, Promise<Holder>>();
  readonly #options: WorkflowWorkspacesOptions;
  readonly #sweep: NodeJS.Timeout;

  constructor(options: WorkflowWorkspacesOptions) {
    this.#options = options;
    this.#sweep = setInterval(() => this.#removeIdle(), Math.min(60_000, Math.max(50, options.idleMs / 4)));
    this.#sweep.unref();
  }

  /** Runs `use` with the workflow's workspace (made on first use), counting it as in use meanwhile. */
  async with<T>(workflowId: string, use: (workspace: { path: string; enterPid?: number | undefined }) => Promise<T>): Promise<T> {
    let holder: Holder;
    for (;;) {
      let pending = this.#holders.get(workflowId);
      if (!pending) {
        pending = this.#start(workflowId);
        this.#holders.set(workflowId, pending);
        const made = pending;
        made.catch(() => {
          if (this.#holders.get(workflowId) === made) this.#holders.delete(workflowId);
        });
      }
      holder = await pending;
      const alive = !holder.child || (holder.child.exitCode === null && holder.child.signalCode === null);
      if (this.#holders.get(workflowId) === pending && alive) break;
      // Removed (idle) or its holder died while we waited: make it again.
      if (this.#holders.get(workflowId) === pending) this.#holders.delete(workflowId);
    }
    holder.active += 1;
    try {
      return await use({ path: holder.path, enterPid: holder.pid });
    } finally {
      holder.active -= 1;
      holder.lastUsed = Date.now();
    }
  }

  /** Workflows with a live workspace. */
  get workflows(): string[] {
    return [...this.#holders.keys()];
  }

  /** Removes one workflow's workspace now. */
  async remove(workflowId: string): Promise<void> {
    await this.#remove(workflowId);
  }

  async close(): Promise<void> {
    clearInterval(this.#sweep);
    const all = [...this.#holders.keys()];
    await Promise.all(all.map((id) => this.#remove(id)));
  }

  async #start(workflowId: string): Promise<Holder> {
    const { root, sizeMb, uid, capped } = this.#options;
    const path = join(root, mountName(workflowId));
    if (!capped) {
      await mkdir(path, { recursive: true, mode: 0o700 });
      return { path, active: 0, lastUsed: Date.now() };
    }
    await mkdir(path, { recursive: true, mode: 0o755 });
    const mount = `mount -t tmpfs -o size=${sizeMb}m,uid=${uid},gid=${uid},mode=0700,nosuid,nodev toolmesh-workspace "$1" && echo ready && exec sleep infinity`;
    const child = spawn(
      "setpriv",
      [
        "--pdeathsig",
        "KILL",
        "--",
        "unshare",
        "--mount",
        "--propagation",
        "private",
        "--",
        "/bin/sh",
        "-c",
        mount,
        "toolmesh-workspace",
        path,
      ],
      {
        stdio: ["ignore", "pipe", "pipe"],
        env: { PATH: "/usr/bin:/bin:/usr/sbin:/sbin" },
      },
    );
    let stderr = "";
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    await new Promise<void>((resolve, reject) => {
      const failed = (why: string): void =>
        reject(new ToolError(ErrorCode.FAILED_PRECONDITION, `could not make the workflow's workspace at ${path}: ${why}`));
      child.once("error", (err) => failed(err.message));
      child.once("exit", (code) => failed(stderr.trim() || `exit code ${code}`));
      child.stdout.on("data", (d: Buffer) => {
        if (d.toString().includes("ready")) resolve();
      });
    });
    child.removeAllListeners("exit");
    child.once("exit", () => {
      void this.#holders.get(workflowId)?.then(
        (current) => {
          if (current.child === child) this.#holders.delete(workflowId);
        },
        () => undefined,
      );
    });
    return { child, pid: child.pid!, path, active: 0, lastUsed: Date.now() };
  }

  #removeIdle(): void {
    const now = Date.now();
    for (const [id, pending] of this.#holders) {
      void pending.then(
        (holder) => {
          if (holder.active === 0 && now - holder.lastUsed >= this.#options.idleMs) void this.#remove(id);
        },
        () => undefined,
      );
    }
  }

  async #remove(workflowId: string): Promise<void> {
    const pending = this.#holders.get(workflowId);
    if (!pending) return;
    this.#holders.delete(workflowId);
    const holder = await pending.catch(() => undefined);
    if (!holder) return;
    const child = holder.child;
    if (!child) {
      await rm(holder.path, { recursive: true, force: true });
      return;
    }
    if (child.exitCode === null && child.signalCode === null) {
      const gone = new Promise((resolve) => child.once("exit", resolve));
      child.kill("SIGKILL");
      await gone;
    }
    await rmdir(holder.path).catch(() => undefined);
  }
}

/** A file name for a workflow id: readable when safe, hashed otherwise. */
export function mountName(workflowId: string): string {
  if (/^[A-Za-z0-9_-]{1,100}$/.test(workflowId)) return workflowId;
  return `wf-${createHash("sha256").update(workflowId).digest("hex").slice(0, 32)}`;
}
