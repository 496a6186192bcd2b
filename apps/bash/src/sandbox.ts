import { spawnSync } from "node:child_process";

export type SandboxKind = "bwrap" | "none";

export interface SandboxOptions {
  kind: SandboxKind;
  /** Host directory mounted writable at /work; the only writable place besides a private /tmp. */
  workspace: string;
  /** Working directory inside the workspace, relative ("." or "sub/dir"). */
  cwd: string;
  network: boolean;
  uid: number;
  /** Host directories replaced by an empty tmpfs inside the sandbox. */
  hidePaths: readonly string[];
  memoryMb: number;
  maxProcesses: number;
  env: Record<string, string>;
}

/** The bubblewrap binary if it runs here, else undefined. */
export function detectBwrap(candidate = "bwrap"): string | undefined {
  return spawnSync(candidate, ["--version"], { stdio: "ignore" }).status === 0 ? candidate : undefined;
}

/**
 * The argv that runs `command` under the sandbox. bubblewrap: every
 * namespace unshared (so no network unless allowed), read-only root with
 * the configured paths hidden, all capabilities dropped, a private /tmp and
 * the workspace as the only writable mount; it dies with us. bwrap itself
 * is started as the unprivileged uid (see execSandboxed): started as root
 * with `--uid`, the command would still own every root-owned file.
 * Inside, bash sets the address-space and process-count limits.
 */
export function sandboxArgv(bwrap: string | undefined, options: SandboxOptions, command: string[]): { file: string; args: string[]; cwd: string } {
  const limits = ["/bin/bash", "-c", `ulimit -v ${options.memoryMb * 1024} && ulimit -u ${options.maxProcesses} && exec "$@"`, "toolmesh-limits", ...command];
  if (options.kind === "none") {
    return { file: limits[0]!, args: limits.slice(1), cwd: `${options.workspace}/${options.cwd}` };
  }
  if (!bwrap) throw new Error("bubblewrap is not installed");
  const args = [
    "--ro-bind", "/", "/",
    ...options.hidePaths.flatMap((path) => ["--tmpfs", path]),
    "--dev", "/dev",
    "--proc", "/proc",
    "--unshare-all",
    ...(options.network ? ["--share-net"] : []),
    "--die-with-parent",
    "--new-session",
    "--cap-drop", "ALL",
    "--tmpfs", "/tmp",
    "--bind", options.workspace, "/work",
    "--chdir", `/work/${options.cwd}`,
    "--clearenv",
    ...Object.entries({ HOME: "/work", ...options.env }).flatMap(([name, value]) => ["--setenv", name, value]),
    ...limits,
  ];
  return { file: bwrap, args, cwd: options.workspace };
}
