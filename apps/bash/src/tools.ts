import { ErrorCode, ToolError } from "@toolmesh/core";
import type { ToolArgs, bashExec } from "@toolmesh/tools";
import { chown, mkdir, realpath } from "node:fs/promises";
import { isAbsolute, normalize, resolve, sep } from "node:path";
import type { BashConfig } from "./config.js";
import { execSandboxed, type ChunkSink } from "./exec.js";
import { detectBwrap, type SandboxKind } from "./sandbox.js";

type ExecArgs = ToolArgs<typeof bashExec>;
type Handler = (args: Record<string, unknown>, ctx: { signal: AbortSignal; chunk?: ChunkSink }) => Promise<Record<string, unknown>>;

export interface BashTools {
  "bash.exec": Handler;
  sandbox: SandboxKind;
  workspace: string;
}

/**
 * The bash pool's handler. Refuses to exist without bubblewrap unless the
 * operator chose TOOLMESH_BASH_SANDBOX=none.
 */
export async function createBashTools(config: BashConfig, hostEnv: NodeJS.ProcessEnv = process.env): Promise<BashTools> {
  const bwrap = config.TOOLMESH_BASH_SANDBOX === "none" ? undefined : detectBwrap();
  if (config.TOOLMESH_BASH_SANDBOX !== "none" && !bwrap) {
    throw new Error("bubblewrap (bwrap) is not installed: install it (apt-get install bubblewrap) or set TOOLMESH_BASH_SANDBOX=none to run commands unsandboxed");
  }
  await mkdir(config.TOOLMESH_BASH_WORKSPACE, { recursive: true });
  const workspace = await realpath(config.TOOLMESH_BASH_WORKSPACE);
  // Commands run as the sandbox uid: the workspace must be theirs to write.
  if (process.getuid?.() === 0) await chown(workspace, config.TOOLMESH_BASH_UID, config.TOOLMESH_BASH_UID);
  for (const path of config.TOOLMESH_BASH_HIDE_PATHS) {
    if (!isAbsolute(path)) throw new Error(`TOOLMESH_BASH_HIDE_PATHS: "${path}" must be an absolute path`);
  }
  const passed = Object.fromEntries(config.TOOLMESH_BASH_ENV_ALLOW.flatMap((name) => (hostEnv[name] !== undefined ? [[name, hostEnv[name]!]] : [])));
  const kind: SandboxKind = bwrap ? "bwrap" : "none";

  const exec: Handler = async (raw, ctx) => {
    const args = raw as ExecArgs;
    if (args.network && !config.TOOLMESH_BASH_ALLOW_NETWORK) {
      throw new ToolError(ErrorCode.PERMISSION_DENIED, "network access is off for this bash pool (TOOLMESH_BASH_ALLOW_NETWORK=false); run without network: true");
    }
    const cwd = await insideWorkspace(workspace, args.cwd);
    const command = typeof args.command === "string" ? ["/bin/bash", "-c", args.command] : args.command;
    const result = await execSandboxed(
      bwrap,
      {
        kind,
        workspace,
        cwd,
        network: args.network,
        uid: config.TOOLMESH_BASH_UID,
        hidePaths: config.TOOLMESH_BASH_HIDE_PATHS,
        memoryMb: config.TOOLMESH_BASH_MEMORY_MB,
        maxProcesses: config.TOOLMESH_BASH_MAX_PROCESSES,
        env: { ...passed, ...args.env },
      },
      { command, stdin: args.stdin, timeoutMs: args.timeoutMs, idleTimeoutMs: args.idleTimeoutMs, maxOutputBytes: args.maxOutputBytes },
      ctx.signal,
      ctx.chunk,
    );
    return { ...result, sandbox: kind };
  };
  return { "bash.exec": exec, sandbox: kind, workspace };
}

/** `cwd` relative to the workspace, refused when it leaves it (symlinks included). */
async function insideWorkspace(workspace: string, cwd: string): Promise<string> {
  if (isAbsolute(cwd)) throw new ToolError(ErrorCode.PERMISSION_DENIED, `cwd "${cwd}" is absolute; give a path relative to the workspace`);
  const target = resolve(workspace, normalize(cwd));
  let real: string;
  try {
    real = await realpath(target);
  } catch {
    throw new ToolError(ErrorCode.NOT_FOUND, `cwd "${cwd}" does not exist in the workspace`);
  }
  if (real !== workspace && !real.startsWith(workspace + sep)) {
    throw new ToolError(ErrorCode.PERMISSION_DENIED, `cwd "${cwd}" is outside the workspace`);
  }
  return real === workspace ? "." : real.slice(workspace.length + 1);
}
