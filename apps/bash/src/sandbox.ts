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
 * namespace unshared (so no network unless allowed), read-only root, all
 * capabilities dropped, an unprivileged uid, a private /tmp and the
 * workspace as the only writable mount; it dies with us. Inside, bash sets
 * the address-space and process-count limits before exec'ing the command.
 */
export function sandboxArgv(bwrap: string | undefined, options: SandboxOptions, command: string[]): { file: string; args: string[]; cwd: string } {
  const limits = ["/bin/bash", "-c", `ulimit -v ${options.memoryMb * 1024} && ulimit -u ${options.maxProcesses} && exec "$@"`, "toolmesh-limits", ...command];
  if (options.kind === "none") {
    return { file: limits[0]!, args: limits.slice(1), cwd: `${options.workspace}/${options.cwd}` };
  }
  if (!bwrap) throw new Error("bubblewrap is not installed");
  const args = [
    "--ro-bind", "/", "/",
    "--dev", "/dev",
    "--proc", "/proc",
    "--unshare-all",
    ...(options.network ? ["--share-net"] : []),
    "--die-with-parent",
    "--new-session",
    "--cap-drop", "ALL",
    "--uid", String(options.uid),
    "--gid", String(options.uid),
    "--tmpfs", "/tmp",
    "--bind", options.workspace, "/work",
    "--chdir", `/work/${options.cwd}`,
    "--clearenv",
    ...Object.entries({ HOME: "/work", ...options.env }).flatMap(([name, value]) => ["--setenv", name, value]),
    ...limits,
  ];
  return { file: bwrap, args, cwd: options.workspace };
}
