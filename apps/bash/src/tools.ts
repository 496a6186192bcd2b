import { ErrorCode, ToolError } from "@toolmesh/core";
import { bashExec, defineHandler, type ToolHandler, type ToolOutput } from "@toolmesh/tools";
import { randomUUID } from "node:crypto";
import { chmod, chown, mkdir, realpath, rm, stat } from "node:fs/promises";
import { isAbsolute, join, normalize, sep } from "node:path";
import type { BashConfig } from "./config.js";
import { execSandboxed } from "./exec.js";
import { detectBwrap, type SandboxKind, type WorkspaceMount } from "./sandbox.js";
import { mountName, WorkflowWorkspaces } from "./workspaces.js";

type ExecOutput = ToolOutput<typeof bashExec>;

export interface BashTools {
  "bash.exec": ToolHandler;
  sandbox: SandboxKind;
  /** The directory the workflows' workspaces go in. */
  workspace: string;
  scope: "workflow" | "call";
  /** Whether workspaces are size-capped (false: scope=workflow in a service that is not root, or no sandbox). */
  capped: boolean;
  /** Removes every workflow's workspace. */
  close(): Promise<void>;
}

/**
 * The bash pool's handler. Refuses to exist without bubblewrap unless the
 * operator chose TOOLMESH_BASH_SANDBOX=none, and refuses a workspace the
 * sandbox uid cannot use (one line, naming the directory and bwrap's error).
 */
export async function createBashTools(config: BashConfig, hostEnv: NodeJS.ProcessEnv = process.env): Promise<BashTools> {
  const bwrap = config.TOOLMESH_BASH_SANDBOX === "none" ? undefined : detectBwrap();
  if (config.TOOLMESH_BASH_SANDBOX !== "none" && !bwrap) {
    throw new Error(
      "bubblewrap (bwrap) is not installed: install it (apt-get install bubblewrap) or set TOOLMESH_BASH_SANDBOX=none to run commands unsandboxed",
    );
  }
  for (const path of config.TOOLMESH_BASH_HIDE_PATHS) {
    if (!isAbsolute(path)) throw new Error(`TOOLMESH_BASH_HIDE_PATHS: "${path}" must be an absolute path`);
  }
  const kind: SandboxKind = bwrap ? "bwrap" : "none";
  const scope = config.TOOLMESH_BASH_WORKSPACE_SCOPE;
  const root = process.getuid?.() === 0;
  await mkdir(config.TOOLMESH_BASH_WORKSPACE, { recursive: true, mode: 0o755 });
  const workspace = await realpath(config.TOOLMESH_BASH_WORKSPACE);
  // The sandbox uid must pass through it to the workflows' mount points (search only: it cannot list them).
  const mode = (await stat(workspace)).mode & 0o7777;
  if ((mode & 0o011) !== 0o011) await chmod(workspace, mode | 0o011);
  const passed = Object.fromEntries(
    config.TOOLMESH_BASH_ENV_ALLOW.flatMap((name) => (hostEnv[name] !== undefined ? [[name, hostEnv[name]]] : [])),
  );
  const base = {
    kind,
    network: false,
    uid: config.TOOLMESH_BASH_UID,
    hidePaths: config.TOOLMESH_BASH_HIDE_PATHS,
    memoryMb: config.TOOLMESH_BASH_MEMORY_MB,
    maxProcesses: config.TOOLMESH_BASH_MAX_PROCESSES,
    tmpMb: config.TOOLMESH_BASH_TMP_MB,
    env: passed,
  };
  const probe = { command: ["/bin/true"], timeoutMs: 30_000, idleTimeoutMs: 0, maxOutputBytes: 4096 };

  if (kind === "bwrap") {
    // The sandbox must start here, as the sandbox uid, with the workspace directory bound: fail the service now, in one line, if not.
    await execSandboxed(
      bwrap,
      { ...base, cwd: ".", workspace: { kind: "bind", path: workspace } },
      probe,
      new AbortController().signal,
    ).catch((err: unknown) => {
      const why = err instanceof Error ? err.message : String(err);
      throw new Error(
        `TOOLMESH_BASH_WORKSPACE ${workspace} is not usable by the sandbox uid ${config.TOOLMESH_BASH_UID} (every directory above it must be searchable by that uid): ${why}`,
      );
    });
  }
  const workflows =
    kind === "bwrap" && scope === "workflow"
      ? new WorkflowWorkspaces({
          root: workspace,
          sizeMb: config.TOOLMESH_BASH_WORKSPACE_MB,
          uid: config.TOOLMESH_BASH_UID,
          idleMs: config.TOOLMESH_BASH_WORKSPACE_IDLE_MIN * 60_000,
          capped: root,
        })
      : undefined;
  if (workflows && root) {
    // A capped workspace needs mount(2) in a new mount namespace: try one now rather than fail every call later.
    const id = `toolmesh-startup-check-${randomUUID()}`;
    try {
      await workflows.with(id, (ws) =>
        execSandboxed(bwrap, { ...base, cwd: ".", workspace: { kind: "bind", ...ws } }, probe, new AbortController().signal),
      );
    } catch (err) {
      await workflows.close();
      const why = err instanceof Error ? err.message : String(err);
      throw new Error(
        `could not make a size-capped workflow workspace under ${workspace} (it needs root with CAP_SYS_ADMIN; TOOLMESH_BASH_WORKSPACE_SCOPE=call needs neither): ${why.replace(/\s*\n\s*/g, " ")}`,
        { cause: err },
      );
    } finally {
      await workflows.remove(id);
    }
  }

  const exec = defineHandler(bashExec, async (args, ctx) => {
    if (args.network && !config.TOOLMESH_BASH_ALLOW_NETWORK) {
      throw new ToolError(
        ErrorCode.PERMISSION_DENIED,
        "network access is off for this bash pool (TOOLMESH_BASH_ALLOW_NETWORK=false); run without network: true",
      );
    }
    const cwd = relativeCwd(args.cwd);
    const command = typeof args.command === "string" ? ["/bin/bash", "-c", args.command] : args.command;
    const request = {
      command,
      stdin: args.stdin,
      timeoutMs: args.timeoutMs,
      idleTimeoutMs: args.idleTimeoutMs,
      maxOutputBytes: args.maxOutputBytes,
    };
    const options = { ...base, cwd, network: args.network, env: { ...passed, ...args.env } };
    const run = async (mount: WorkspaceMount): Promise<ExecOutput> => {
      const result = await execSandboxed(bwrap, { ...options, workspace: mount }, request, ctx.signal, ctx.chunk);
      return { ...result, sandbox: kind };
    };
    const workflowId = ctx.workflowId ?? "default";
    if (workflows) return workflows.with(workflowId, (ws) => run({ kind: "bind", ...ws }));
    if (kind === "bwrap") return run({ kind: "tmpfs", sizeMb: config.TOOLMESH_BASH_WORKSPACE_MB });
    // Unsandboxed: a plain directory per workflow (or per call), not size-capped.
    const dir = join(workspace, scope === "workflow" ? mountName(workflowId) : `call-${randomUUID()}`);
    await mkdir(dir, { recursive: true });
    if (root) await chown(dir, config.TOOLMESH_BASH_UID, config.TOOLMESH_BASH_UID);
    if (!(await stat(join(dir, cwd)).catch(() => undefined))?.isDirectory())
      throw new ToolError(ErrorCode.NOT_FOUND, `cwd "${args.cwd}" does not exist in the workspace`);
    try {
      return await run({ kind: "bind", path: dir });
    } finally {
      if (scope === "call") await rm(dir, { recursive: true, force: true });
    }
  });
  const capped = kind === "bwrap" && (scope === "call" || root);
  return { "bash.exec": exec, sandbox: kind, workspace, scope, capped, close: async () => workflows?.close() };
}

/** `cwd` as a path inside the workspace, refused when it is absolute or climbs out (the sandbox itself contains symlinks). */
function relativeCwd(cwd: string): string {
  if (isAbsolute(cwd)) throw new ToolError(ErrorCode.PERMISSION_DENIED, `cwd "${cwd}" is absolute; give a path relative to the workspace`);
  const path = normalize(cwd);
  if (path === ".." || path.startsWith(`..${sep}`))
    throw new ToolError(ErrorCode.PERMISSION_DENIED, `cwd "${cwd}" is outside the workspace`);
  return path.replace(/\/+$/, "") || ".";
}
